"""Every problem message of the loaders and the imports, declared once: an English and a Japanese
template with the same placeholders (tests/test_messages.py walks the whole catalogue).

A message is a Msg (a key and its parameters), rendered in a language only when it is printed;
a parameter that is itself a Msg is rendered in the same language. Quoted values use `!r` in both
languages, so that long values are shortened and personnel values withheld alike (loaders.errors).
Terms follow GLOSSARY.md.
"""
from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "ja")

CATALOGUE: dict[str, tuple[str, str]] = {
    # --- the dataset as a whole, its files and folders (loaders.load, loaders.tables)
    "no_such_path": ("no such file or folder", "そのようなファイルもフォルダもありません"),
    "not_a_dataset": ("not a dataset: expected a folder of CSV files or an .xlsx workbook",
                      "データセットではありません: CSV ファイルのフォルダか .xlsx ブックを指定してください"),
    "unknown_file": ("unknown file {name!r} (expected one of: {expected})",
                     "不明なファイル {name!r} です (次のいずれか: {expected})"),
    "required_file_missing": ("required file missing", "必須のファイルがありません"),
    "required_sheet_missing": ("required sheet missing", "必須のシートがありません"),
    "folder_unreadable": ("the folder cannot be read ({reason})", "フォルダを読めません ({reason})"),
    "two_files_same_name": ("two files are named {name!r} (as {first} and {second}); keep one",
                            "{name!r} という名前のファイルが 2 つあります ({first} と {second}): 1 つにしてください"),
    "link_dangling": ("a symbolic link to a file that does not exist", "存在しないファイルへのシンボリックリンクです"),
    "link_loops": ("a symbolic link that loops (it leads back to itself)",
                   "循環するシンボリックリンクです (自分自身に戻ります)"),
    "link_outside": ("a symbolic link to a file outside the dataset folder: copy the file into the folder",
                     "データセットのフォルダの外にあるファイルへのシンボリックリンクです: ファイルをフォルダ内にコピーしてください"),
    "cannot_read": ("cannot be read ({reason})", "読めません ({reason})"),
    "is_folder": ("a folder, not a file", "ファイルではなくフォルダです"),
    "not_regular": ("not a regular file (a device, a pipe or a socket): save the data as a file",
                    "通常のファイルではありません (デバイス・パイプ・ソケット): データをファイルとして保存してください"),
    "permission_denied": ("cannot be read: permission denied (no read permission on the file)",
                          "読めません: アクセスが拒否されました (ファイルに読み取り権限がありません)"),
    # --- encodings and CSV syntax (loaders.tables)
    "utf16": ("the file is UTF-16; save it as UTF-8 (CSV UTF-8) or Shift_JIS/CP932",
              "ファイルが UTF-16 です: UTF-8 (CSV UTF-8) または Shift_JIS/CP932 で保存してください"),
    "zip_as_csv": ("this is a zip file (an .xlsx workbook saved under a .csv name?), not CSV text",
                   "CSV のテキストではなく zip ファイルです (.xlsx ブックを .csv の名前で保存しましたか?)"),
    "undecodable": ("cannot decode: neither UTF-8 nor CP932 (byte 0x{byte:02x})",
                    "文字コードを判別できません: UTF-8 でも CP932 でもありません (バイト 0x{byte:02x})"),
    "bom_then_cp932": ("the file starts with a UTF-8 byte order mark but this line is CP932; "
                       "save the whole file as UTF-8 or as CP932 (without the mark)",
                       "ファイルは UTF-8 の BOM で始まりますが、この行は CP932 です: "
                       "ファイル全体を UTF-8 か CP932 (BOM なし) で保存してください"),
    "mixed_utf8_then_cp932": ("mixed encodings: line {first} is UTF-8 but this line is not (byte 0x{byte:02x}; CP932?); "
                              "save the whole file in one encoding",
                              "文字コードが混在しています: {first} 行目は UTF-8 ですが、この行は違います "
                              "(バイト 0x{byte:02x}; CP932?): ファイル全体を 1 つの文字コードで保存してください"),
    "mixed_cp932_then_utf8": ("mixed encodings: line {first} is CP932 but this line is UTF-8; save the whole file in one encoding",
                              "文字コードが混在しています: {first} 行目は CP932 ですが、この行は UTF-8 です: "
                              "ファイル全体を 1 つの文字コードで保存してください"),
    "nul_byte": ("the file contains a NUL byte (a binary file saved as CSV?)",
                 "ファイルに NUL バイトが含まれています (バイナリファイルを CSV として保存しましたか?)"),
    "csv_unclosed": ('malformed CSV: a quoted cell is never closed (a " without its closing ")',
                     'CSV の形式が不正です: 引用符で囲んだセルが閉じていません (" に対応する閉じの " がありません)'),
    "csv_after_quote": ('malformed CSV: text after the closing " of a quoted cell (write a " inside a quoted cell as "")',
                        'CSV の形式が不正です: 引用符で囲んだセルの閉じの " の後に文字があります '
                        '(引用符で囲んだセル内の " は "" と書きます)'),
    "csv_other": ("malformed CSV: {detail}", "CSV の形式が不正です: {detail}"),
    # --- workbooks (loaders.workbooks)
    "xlsx_unreadable": ("not a readable .xlsx workbook ({reason})", "読める .xlsx ブックではありません ({reason})"),
    "xlsx_part_bomb": ("refused: part {part} inflates from {packed:,.0f} kB to {inflated:,.0f} MB "
                       "(more than {ratio}-fold; a zip bomb?). Save the data again from Excel",
                       "読み込みを拒否しました: 部品 {part} が {packed:,.0f} kB から {inflated:,.0f} MB に展開されます "
                       "({ratio} 倍超; zip 爆弾?)。Excel でデータを保存し直してください"),
    "xlsx_too_big": ("refused: the workbook inflates to {inflated:,.0f} MB of XML (at most {limit:,} MB); "
                     "split the data or use CSV files",
                     "読み込みを拒否しました: ブックは展開すると XML {inflated:,.0f} MB になります (上限 {limit:,} MB): "
                     "データを分割するか CSV ファイルを使ってください"),
    "two_sheets_same_name": ("two sheets are named {name!r}; keep one",
                             "{name!r} という名前のシートが 2 つあります: 1 つにしてください"),
    "sheet_hidden": ("the sheet is hidden: unhide it to load it, or delete it (hidden data is never loaded)",
                     "シートが非表示です: 読み込むには再表示するか、削除してください (非表示のデータは読み込みません)"),
    "sheet_unreadable": ("not a readable sheet ({reason})", "読めるシートではありません ({reason})"),
    "too_many_rows": ("more than {limit:,} rows (Excel's last row): not a worksheet Excel wrote",
                      "{limit:,} 行 (Excel の最終行) を超えています: Excel が書いたワークシートではありません"),
    "cell_beyond_columns": ("a value in cell {cell}, beyond column {last} (a dataset sheet has at most {limit} columns): delete it",
                            "セル {cell} に値があります。列 {last} より右です (データセットのシートは最大 {limit} 列): 削除してください"),
    "row_hidden": ("row {row} is hidden: unhide it to load it, or delete it (hidden data is never loaded)",
                   "{row} 行目が非表示です: 読み込むには再表示するか、削除してください (非表示のデータは読み込みません)"),
    "column_hidden": ("column {letter} is hidden: unhide it to load it, or delete it (hidden data is never loaded)",
                      "列 {letter} が非表示です: 読み込むには再表示するか、削除してください (非表示のデータは読み込みません)"),
    "merged": ("merged cells {ref}: unmerge them (only the first cell of a merged range holds a value)",
               "結合されたセル {ref}: 結合を解除してください (結合範囲の値は先頭のセルにしかありません)"),
    # --- headers, rows and cells (loaders.load, loaders.values)
    "too_many_cells": ("{cells} cells but only {width} columns in the header",
                       "セルが {cells} 個ありますが、見出しは {width} 列しかありません"),
    "cell_too_long": ("cell too long ({length} characters, at most {limit})",
                      "セルが長すぎます ({length} 文字、上限 {limit} 文字)"),
    "excel_error": ("Excel error value {value!r} (a formula that failed, or its exported result): correct it in the workbook",
                    "Excel のエラー値 {value!r} です (失敗した数式、またはその書き出し結果): ブックで修正してください"),
    "empty_file": ("empty file: no header row", "空のファイルです: 見出し行がありません"),
    "row1_blank": ("row 1 is blank: the header (the column names) must be on row 1, the data below it "
                   "(the first non-blank row is row {first})",
                   "1 行目が空です: 見出し (列名) は 1 行目に、データはその下に置いてください "
                   "(空でない最初の行は {first} 行目)"),
    "column_letter": ("column {letter}: {message}", "列 {letter}: {message}"),
    "duplicate_column": ("duplicate column", "列が重複しています"),
    "unknown_column": ("unknown column (expected one of: {expected})", "不明な列です (次のいずれか: {expected})"),
    "required_column_missing": ("required column missing", "必須の列がありません"),
    "unnamed_column": ("column {letter} has no name in the header but holds values (first at row {first})",
                       "列 {letter} は見出しに名前がないのに値があります (最初は {first} 行目)"),
    "required_value_missing": ("required value missing", "必須の値がありません"),
    "at_least": ("Input should be greater than or equal to {limit}", "値は {limit} 以上にしてください"),
    "at_least_items": ("List should have at least {limit} item after validation, not {actual}",
                       "値が {limit} 個以上必要です (現在 {actual} 個)"),
    "at_least_chars": ("String should have at least {limit} character", "{limit} 文字以上必要です"),
    "invalid_value": ("{detail}", "値が不正です ({detail})"),
    "withheld": ("[value withheld: personnel data]", "[値は表示しません: 人事データ]"),
    "date_out_of_range": ("date {value!r} is out of range ({first} to {last})",
                          "日付 {value!r} は範囲外です ({first} から {last} まで)"),
    "era_year_invalid": ("invalid era year in date {value!r}", "日付 {value!r} の元号の年が不正です"),
    "outside_era": ("date {value!r} is outside the {era} era", "日付 {value!r} は{era}の期間外です"),
    "not_a_date": ("not a date: {value!r} (expected YYYY-MM-DD or a Japanese era date such as 令和5年3月1日 / R5.3.1)",
                   "日付ではありません: {value!r} (YYYY-MM-DD または 令和5年3月1日 / R5.3.1 のような和暦で書いてください)"),
    "no_such_date": ("no such date: {value!r}", "存在しない日付です: {value!r}"),
    "not_a_boolean": ("not a boolean: {value!r} (expected true/false, 1/0, yes/no or ○/×)",
                      "真偽値ではありません: {value!r} (true/false、1/0、yes/no、○/× のいずれか)"),
    "not_an_integer": ("not an integer: {value!r}", "整数ではありません: {value!r}"),
    "unknown_choice": ("unknown {what} {value!r} (expected one of: {expected})",
                       "不明な{what}です: {value!r} (次のいずれか: {expected})"),
    "corporate_number": ("invalid 法人番号 (corporate number) {value!r}: {reason}", "法人番号 {value!r} が不正です: {reason}"),
    "lei_length": ("invalid LEI {value!r}: an LEI has 20 characters", "LEI {value!r} が不正です: LEI は 20 文字です"),
    "lei_invalid": ("invalid LEI {value!r}: {reason}", "LEI {value!r} が不正です: {reason}"),
    "unknown_country": ("unknown country {value!r} (expected an ISO 3166-1 alpha-2 code, e.g. DE, JP)",
                        "不明な国です: {value!r} (ISO 3166-1 alpha-2 のコード、例: DE, JP)"),
    "number_length": ("The number has an invalid length.", "桁数が正しくありません。"),
    "number_checksum": ("The number's checksum or check digit is invalid.", "チェックディジットが正しくありません。"),
    "number_format": ("The number has an invalid format.", "形式が正しくありません。"),
    "number_component": ("One of the parts of the number are invalid or unknown.", "番号の一部が不正または不明です。"),
    # nouns named by "unknown_choice" (column values with a fixed vocabulary)
    "noun.organization kind": ("organization kind", "組織の種別"),
    "noun.data category": ("data category", "データ区分"),
    "noun.contract type": ("contract type", "契約の種別"),
    "noun.clause code": ("clause code", "特記事項のコード"),
    "noun.authorization": ("authorization", "再委託の承認方式"),
    "noun.transfer mechanism": ("transfer mechanism", "越境移転の根拠"),
    "noun.ICT service type": ("ICT service type", "ICT サービスの種別"),
    "noun.approval status": ("approval status", "事前承認の状態"),
    "noun.inspection method": ("inspection method", "検査の方法"),
    "noun.inspection timing": ("inspection timing", "検査の時期"),
    "noun.inspection result": ("inspection result", "検査の結果"),
    "noun.checklist answer": ("checklist answer", "確認表の回答"),
    "noun.role": ("role", "役割"),
    "noun.deletion method": ("deletion method", "削除の方法"),
    "noun.evidence": ("evidence", "証跡"),
    # --- across rows and files (loaders.references)
    "id_has_bom": ("{key} {value!r} holds a byte order mark (U+FEFF: two files joined into one?): an id is plain text",
                   "{key} {value!r} に BOM (U+FEFF) が含まれています (2 つのファイルを 1 つにつないだ?): ID はただの文字列です"),
    "id_has_control": ("{key} {value!r} holds a control or invisible character: an id is plain text",
                       "{key} {value!r} に制御文字か見えない文字が含まれています: ID はただの文字列です"),
    "duplicate_id": ("duplicate {key} {value!r} (first at row {first})", "{key} {value!r} が重複しています (最初は {first} 行目)"),
    "unknown_id": ("unknown {key} {value!r}", "不明な {key} {value!r} です"),
    "dates_inverted": ("{second} {b} is before {first} {a}", "{second} {b} が {first} {a} より前です"),
    "self_delegation": ("{value!r} delegates to itself", "{value!r} が自分自身に委託しています"),
    "policies_below_prime": ("policies may be set only on a prime contract (委託); the chain below inherits them",
                             "policies は委託 (最上位の契約) にだけ設定できます: その下のチェーンは引き継ぎます"),
    "unknown_policy": ("unknown policy {value!r} (known: {known})", "不明なポリシー {value!r} です (既知: {known})"),
    "notified_needs_date": ("a `notified` approval needs requested_date (the date of the notice)",
                            "`notified` の事前承認には requested_date (通知の日付) が必要です"),
    "item_twice": ("item {item!r} of inspection {inspection!r} answered twice (first at row {first})",
                   "検査 {inspection!r} の項目 {item!r} が 2 回回答されています (最初は {first} 行目)"),
    "cycle": ("{column} forms a cycle: {cycle}", "{column} が循環しています: {cycle}"),
    "cycle_long": ("{shown} → … → {start} ({n} in the cycle)", "{shown} → … → {start} (循環するのは {n} 件)"),
    "too_deep": ("the chain is deeper than {limit:,} levels ({value!r} would be level {level:,}): "
                 "Itaku checks chains of at most {limit:,} levels",
                 "チェーンが {limit:,} 階層より深くなっています ({value!r} は {level:,} 階層目): "
                 "Itaku が確認するチェーンは {limit:,} 階層までです"),
    # --- imports: checklists appended to a dataset (checklists.append)
    "not_encodable": ("cannot be written in {encoding}, the file's encoding: character {char!r} ({code})",
                      "ファイルの文字コード {encoding} で書けません: 文字 {char!r} ({code})"),
    "formulas_in_dataset": ("the dataset workbook holds formulas{more}: importing would lose their computed values; "
                            "replace them by values (copy, paste as values) or import into a CSV dataset",
                            "データセットのブックに数式があります{more}: 取り込むと計算結果が失われます。"
                            "値に置き換える (コピーして値として貼り付け) か、CSV のデータセットに取り込んでください"),
    "and_more": (" (and {n} more)", " (ほかに {n} 個)"),
    # --- filled checklist workbooks (checklists.workbook, checklists.importer)
    "cl_sheet_missing": ("not an Itaku checklist workbook (sheet {sheet!r} is missing; make one with `itaku template checklist`)",
                         "Itaku のチェックシートではありません (シート {sheet!r} がありません: `itaku template checklist` で作ってください)"),
    "cl_not_checklist": ("not an Itaku checklist workbook", "Itaku のチェックシートではありません"),
    "cl_old_version": ("made from template {template} version {version}, but the current version is {current}: "
                       "make a new workbook with `itaku template checklist`",
                       "テンプレート {template} の版 {version} で作られていますが、現在の版は {current} です: "
                       "`itaku template checklist` で新しいブックを作ってください"),
    "cl_record_damaged": ("the record of the contract is damaged", "契約の記録が壊れています"),
    "cl_formula": ("a formula is not an answer; type the answer or the note itself",
                   "数式は回答になりません: 回答か備考そのものを入力してください"),
    "cl_no_answer": ("no answer for item {item}", "項目 {item} に回答がありません"),
    "cl_bad_answer": ("answer {answer} for item {item} is not one of: {expected}",
                      "項目 {item} の回答 {answer} は次のいずれでもありません: {expected}"),
    "cl_added": ("the workbook was altered: {value} was added outside the answer cells",
                 "ブックが改変されています: 回答欄の外に {value} が追加されています"),
    "cl_item_cell": ("{what} of item {item}", "項目 {item} の{what}"),
    "cl_form_cell": ("a cell of the form", "様式のセル"),
    "cl_deleted": ("the workbook was altered: {detail} was deleted (expected {expected})",
                   "ブックが改変されています: {detail}が削除されています (本来は {expected})"),
    "cl_changed": ("the workbook was altered: {detail} changed (expected {expected}, found {found})",
                   "ブックが改変されています: {detail}が変更されています (本来は {expected}、実際は {found})"),
    "cl_unknown_contract": ("the workbook is for contract {contract!r}, which is not in this dataset",
                            "このブックは契約 {contract!r} のものですが、その契約はこのデータセットにありません"),
    "cl_other_delegatee": ("the workbook was made for delegatee {made_for!r}, but contract {contract} in the dataset is "
                           "delegated to {delegatee!r}",
                           "このブックは委託先 {made_for!r} 用に作られましたが、データセットの契約 {contract} の委託先は "
                           "{delegatee!r} です"),
    "cl_unknown_org": ("unknown organization {value!r}", "不明な組織 {value!r} です"),
    "cl_no_inspector": ("検査実施者 (inspector) is empty: choose the organization that inspected, or pass --inspector",
                        "検査実施者が空です: 検査した組織を選ぶか、--inspector を指定してください"),
    "cl_unknown_inspector": ("unknown organization {value!r} (an org_id of the dataset)",
                             "不明な組織 {value!r} です (データセットの org_id を指定してください)"),
    "cl_no_date": ("実施日 (inspection date) is empty: fill it in, or pass --date",
                   "実施日が空です: 記入するか、--date を指定してください"),
    "cl_imported_already": ("already imported as inspection {inspection} ({template}, {day}); pass --inspection-id to "
                            "import it again as another inspection",
                            "検査 {inspection} ({template}、{day}) としてすでに取り込まれています: 別の検査として取り込むには "
                            "--inspection-id を指定してください"),
    "cl_inspection_exists": ("inspection {value!r} already exists in the dataset", "検査 {value!r} はすでにデータセットにあります"),
    "bad_shard": ("expected I/N, a shard I of N shards with 1 ≤ I ≤ N (e.g. --shard 1/3), got {value!r}",
                  "I/N (N 個の分割のうち I 番目、1 ≤ I ≤ N。例: --shard 1/3) の形で指定してください: {value!r}"),
    "no_contract": ("no contract {contract!r} in {dataset}", "{dataset} に契約 {contract!r} はありません"),
    # --- the DORA register of information (registers.dora_roi)
    "roi_provider_empty": ("empty identification code of the provider", "提供者の識別コードが空です"),
    "roi_provider_twice": ("provider {value!r} already has row {first}", "提供者 {value!r} はすでに {first} 行目にあります"),
    "roi_rank_invalid": ("rank {value!r} is not a whole number ≥ 1", "順位 {value!r} が 1 以上の整数ではありません"),
    "roi_service_type": ("unknown ICT service type {value!r} (expected S01 … S19)",
                         "不明な ICT サービスの種別 {value!r} です (S01 … S19)"),
    "roi_unknown_provider": ("identifier {value!r} has no row in b_05.01.csv", "識別子 {value!r} の行が b_05.01.csv にありません"),
    "roi_provider_id_empty": ("empty provider identifier", "提供者の識別子が空です"),
    "roi_contract_ref_empty": ("empty contract reference", "契約の参照番号が空です"),
    "roi_rank1_recipient": ("a rank-1 provider serves the financial entity: the recipient must be empty",
                            "順位 1 の提供者は金融機関に直接サービスを提供します: 受領者は空にしてください"),
    "roi_recipient_missing": ("a rank-{rank} subcontractor needs its recipient (the provider it serves)",
                              "順位 {rank} の再委託先には受領者 (サービスを提供する相手の提供者) が必要です"),
    "roi_row_twice": ("same contract reference, service type, provider, rank and recipient as row {first}",
                      "契約の参照番号・サービスの種別・提供者・順位・受領者が {first} 行目と同じです"),
    "roi_rank_gap": ("rank {rank} of {contract!r}: its recipient {recipient!r} is no provider at rank {above} of the same "
                     "chain (ranks must be contiguous)",
                     "{contract!r} の順位 {rank}: 受領者 {recipient!r} は同じチェーンの順位 {above} の提供者ではありません "
                     "(順位は連続していなければなりません)"),
    "roi_lei": ("{value!r} is not a valid LEI ({reason})", "{value!r} は有効な LEI ではありません ({reason})"),
    "roi_country": ("{value!r} is not an ISO 3166-1 alpha-2 country code", "{value!r} は ISO 3166-1 alpha-2 の国コードではありません"),
    "roi_of_contract": ("{message} (contract {contract})", "{message} (契約 {contract})"),
    "roi_no_file": ("no such file (a register export holds b_05.01.csv and b_05.02.csv)",
                    "ファイルがありません (登録簿の書き出しには b_05.01.csv と b_05.02.csv があります)"),
    "roi_unreadable": ("unreadable: {reason}", "読めません: {reason}"),
    "roi_header": ("the header must be the ITS column codes {expected}; got {got}",
                   "見出しは ITS の列コード {expected} でなければなりません。実際: {got}"),
    "roi_nothing": ("nothing", "なし"),
    "roi_cells": ("{cells} cells, expected {expected}", "セルが {cells} 個です ({expected} 個のはず)"),
    "roi_no_contract": ("no contract for b_05.02.csv row {row} ({contract}, rank {rank}, provider {provider}): "
                        "the companion does not match the register",
                        "b_05.02.csv の {row} 行目 ({contract}、順位 {rank}、提供者 {provider}) の契約がありません: "
                        "付属のデータセットが登録簿と一致しません"),
    "roi_contract_unused": ("contract {value!r} has no row in b_05.02.csv", "契約 {value!r} の行が b_05.02.csv にありません"),
    # --- summary lines of the commands (itaku.cli*)
    "summary_loaded": ("{n} problem(s); nothing was loaded.", "問題 {n} 件: 何も読み込んでいません。"),
    "summary_written": ("{n} problem(s); nothing was written.", "問題 {n} 件: 何も書き込んでいません。"),
    "summary_imported": ("{n} problem(s); nothing was imported.", "問題 {n} 件: 何も取り込んでいません。"),
    "summary_changed": ("{n} problem(s); nothing was changed.", "問題 {n} 件: 何も変更していません。"),
    "summary_register": ("{n} problem(s) in the register; nothing was written.",
                         "登録簿に問題 {n} 件: 何も書き込んでいません。"),
    "summary_side": ("{side} ({path}): {n} problem(s)", "{side} ({path}): 問題 {n} 件"),
    "validate_ok": ("OK: {orgs} organizations, {contracts} contracts, {others} other records",
                    "OK: 組織 {orgs} 件、契約 {contracts} 件、その他の記録 {others} 件"),
    "nothing_written": ("nothing was written.", "何も書き込んでいません。"),
    "nothing_compared": ("nothing was compared.", "何も比較していません。"),
    "nothing_started": ("nothing was started.", "何も起動していません。"),
}


@dataclass(frozen=True)
class Msg:
    """A message not yet in a language: a CATALOGUE key and its parameters."""
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "en") -> str:
        template = CATALOGUE[self.key][LANGS.index(lang)]
        return template.format(**{k: v.text(lang) if isinstance(v, Msg) else v for k, v in self.params})

    def __str__(self) -> str:
        return self.text("en")

    def __lt__(self, other: Msg) -> bool:  # problems sort by file, row, column, then message
        return str(self) < str(other)


def msg(key: str, /, **params: object) -> Msg:
    if key not in CATALOGUE:
        raise KeyError(f"no message {key!r} in loaders.messages.CATALOGUE")
    return Msg(key, tuple(params.items()))


class MessageError(ValueError):
    """A ValueError carrying its Msg (raised by cell parsers inside pydantic validators)."""

    def __init__(self, message: Msg):
        super().__init__(str(message))
        self.msg = message
