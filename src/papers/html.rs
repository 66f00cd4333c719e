//! The same blocks as a printable HTML page (A4 through CSS `@page`), for a browser or a screen
//! reader; the PDF is the paper of record, this is its readable twin with the same serial.

use super::layout::Block;

/// Escapes text for HTML element content and attribute values.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "@page{size:A4;margin:24mm 24mm 22mm}body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Droid Sans Fallback',sans-serif;font-size:11pt;line-height:1.6;max-width:165mm;margin:auto}header{display:flex;justify-content:space-between;font-size:9pt;border-bottom:1px solid #000}h1{text-align:center;font-size:20pt;margin:.6em 0 .1em}.serial{text-align:center;font-size:10pt}p.indent{text-indent:2em}table{border-collapse:collapse;width:100%;font-size:9pt}td,th{border:1px solid #000;padding:2px 4px;vertical-align:top;word-break:break-all}.seal{text-align:right;margin-top:2em}.break{break-after:page}";

/// The page for `blocks`, titled `title`, with `office` and `serial` in its header.
pub fn render(title: &str, office: &str, serial: &str, blocks: &[Block]) -> String {
    let mut body = String::new();
    for block in blocks {
        body.push_str(&block_html(block));
    }
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><header><span>{}</span><span>{}</span></header>{body}</body></html>",
        escape(title),
        escape(office),
        escape(serial),
    )
}

fn block_html(block: &Block) -> String {
    match block {
        Block::Title(t) => format!("<h1>{}</h1>", escape(t)),
        Block::Subtitle(t) => format!("<p class=\"serial\">{}</p>", escape(t)),
        Block::Heading(t) => format!("<h2>{}</h2>", escape(t)),
        Block::Paragraph(t) => format!("<p class=\"indent\">{}</p>", escape(t)),
        Block::Plain(t) => format!("<p>{}</p>", escape(t)),
        Block::Field(label, value) => {
            format!("<p><b>{}</b>：{}</p>", escape(label), escape(value))
        }
        Block::Table { headings, rows, .. } => {
            let head: String = headings
                .iter()
                .map(|h| format!("<th>{}</th>", escape(h)))
                .collect();
            let body: String = rows
                .iter()
                .map(|row| {
                    let cells: String = row
                        .iter()
                        .map(|c| format!("<td>{}</td>", escape(c)))
                        .collect();
                    format!("<tr>{cells}</tr>")
                })
                .collect();
            format!("<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        }
        Block::Signatures(names) => names
            .iter()
            .map(|n| {
                format!(
                    "<p>{}（签名或盖章）：＿＿＿＿＿＿＿＿　　＿＿＿＿年＿＿月＿＿日</p>",
                    escape(n)
                )
            })
            .collect(),
        Block::Seal { office, date } => format!(
            "<p class=\"seal\">{}（印章）<br>{}</p>",
            escape(office),
            escape(date)
        ),
        Block::Gap(_) => String::new(),
        Block::PageBreak => "<div class=\"break\"></div>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_case_cannot_open_a_tag() {
        let page = render(
            "协助函",
            "中心",
            "W1",
            &[Block::Plain("<script>x</script>".into())],
        );
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
