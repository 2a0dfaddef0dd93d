//! A small, valid one-page PDF of an invoice (`invoice_pdf`), written by hand: catalog,
//! pages, page, two standard Type 1 fonts (Helvetica, WinAnsiEncoding), one content
//! stream and an info dictionary, with an exact cross-reference table. No crate needed.

use serde_json::Value;

use super::objects::{money, ymd};
use super::pages::MERCHANT;

/// Lines of the item table that fit on the page; the rest are summarised.
const MAX_ROWS: usize = 30;

/// `s` in WinAnsi bytes, escaped for a PDF literal string.
fn pdf_text(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let b = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        };
        out.push(b);
    }
    out
}

/// Truncates to `max` characters with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Content-stream builder: text at absolute positions.
struct Content(Vec<u8>);

impl Content {
    fn text(&mut self, font: &str, size: u32, x: u32, y: u32, s: &str) {
        self.0
            .extend_from_slice(format!("BT /{font} {size} Tf {x} {y} Td (").as_bytes());
        self.0.extend_from_slice(&pdf_text(s));
        self.0.extend_from_slice(b") Tj ET\n");
    }

    fn rule(&mut self, y: u32) {
        self.0
            .extend_from_slice(format!("0.8 G 50 {y} m 562 {y} l S 0 G\n").as_bytes());
    }
}

/// The PDF bytes for `inv`.
pub(crate) fn invoice(inv: &Value) -> Vec<u8> {
    let currency = inv["currency"].as_str().unwrap_or("usd");
    let cents = |k: &str| money(inv[k].as_i64().unwrap_or(0), currency);
    let number = inv["number"].as_str().unwrap_or("DRAFT");
    let mut c = Content(Vec::new());
    c.text("F2", 20, 50, 740, MERCHANT);
    c.text("F2", 16, 50, 712, "Invoice");
    let details = [
        ("Invoice number", number.to_owned()),
        ("Date of issue", ymd(inv["created"].as_i64().unwrap_or(0))),
        (
            "Period",
            format!(
                "{} to {}",
                ymd(inv["period_start"].as_i64().unwrap_or(0)),
                ymd(inv["period_end"].as_i64().unwrap_or(0))
            ),
        ),
        ("Status", inv["status"].as_str().unwrap_or("").to_owned()),
        (
            "Bill to",
            inv["customer_email"].as_str().unwrap_or("").to_owned(),
        ),
    ];
    let mut y = 686;
    for (label, value) in details {
        c.text("F1", 10, 50, y, label);
        c.text("F1", 10, 160, y, &clip(&value, 70));
        y -= 16;
    }
    y -= 14;
    c.text("F2", 10, 50, y, "Description");
    c.text("F2", 10, 470, y, "Amount");
    y -= 6;
    c.rule(y);
    y -= 16;
    let lines = inv["lines"]["data"].as_array().cloned().unwrap_or_default();
    for line in lines.iter().take(MAX_ROWS) {
        let desc = line["description"].as_str().unwrap_or("");
        c.text("F1", 10, 50, y, &clip(desc, 78));
        let amount = money(line["amount"].as_i64().unwrap_or(0), currency);
        c.text("F1", 10, 470, y, &amount);
        y -= 16;
    }
    if lines.len() > MAX_ROWS {
        let more = format!("… and {} more lines", lines.len() - MAX_ROWS);
        c.text("F1", 10, 50, y, &more);
        y -= 16;
    }
    c.rule(y + 10);
    y -= 8;
    for (label, key, font) in [
        ("Total", "total", "F2"),
        ("Amount paid", "amount_paid", "F1"),
        ("Amount remaining", "amount_remaining", "F1"),
    ] {
        c.text(font, 10, 330, y, label);
        c.text(font, 10, 470, y, &cents(key));
        y -= 16;
    }
    assemble(&c.0, number)
}

/// Wraps a content stream into a complete PDF file with a correct xref table.
fn assemble(content: &[u8], number: &str) -> Vec<u8> {
    let mut title = b"(Invoice ".to_vec();
    title.extend_from_slice(&pdf_text(number));
    title.push(b')');
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    let mut info = b"<< /Title ".to_vec();
    info.extend_from_slice(&title);
    info.extend_from_slice(b" /Producer (Stripe sandbox) >>");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
        stream,
        info,
    ];
    // A binary comment after the header tells tools the file holds 8-bit data.
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xref_offsets_point_at_objects() {
        let inv = json!({"number": "AB-0001", "currency": "usd", "total": 29500,
            "amount_paid": 29500, "amount_remaining": 0, "status": "paid", "created": 0,
            "lines": {"data": [{"description": "1 × Planner (at $295.00 / month)", "amount": 29500}]}});
        let pdf = invoice(&inv);
        let text = String::from_utf8_lossy(&pdf).into_owned();
        assert!(pdf.starts_with(b"%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let sx = pdf.windows(10).rposition(|w| w == b"startxref\n").unwrap() + 10;
        let tail = std::str::from_utf8(&pdf[sx..]).unwrap();
        let start: usize = tail.lines().next().unwrap().parse().unwrap();
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        assert!(table.starts_with("xref\n0 8\n"));
        for (n, line) in table.lines().skip(3).take(7).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            let head = format!("{} 0 obj", n + 1);
            assert!(pdf[off..].starts_with(head.as_bytes()), "object {}", n + 1);
        }
        assert!(text.contains("(AB-0001) Tj") && text.contains("($295.00) Tj"));
        assert!(pdf.windows(3).any(|w| w == b"1 \xd7"), "× in WinAnsi");
    }
}
