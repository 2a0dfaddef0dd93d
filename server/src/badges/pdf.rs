//! The badges PDF (`pdf-writer` for the document, `qrcode` for the codes): A4 pages of
//! eight badges (two columns, four rows, cut along the grey lines), each with the project,
//! the person's name, company and role, the badge number and a QR code of
//! [`app::badges::qr_payload`]. The standard PDF fonts (Helvetica, Courier) need nothing
//! embedded; text is written in WinAnsi, and a character outside it prints as `?`.

use app::badges::{qr_payload, BadgeList};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{Color, QrCode};

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 28.0;
const COLUMNS: usize = 2;
const ROWS: usize = 4;
/// Badges per page.
pub const PER_PAGE: usize = COLUMNS * ROWS;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const MONO: Name<'static> = Name(b"F3");

/// Text as WinAnsi bytes (Latin-1 printable characters as they are, others `?`), cut to
/// about `max` characters with "..." so it stays inside the badge.
fn ansi(text: &str, max: usize) -> Vec<u8> {
    let mut chars: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
    if chars.len() > max {
        chars.truncate(max.saturating_sub(3));
        chars.extend(['.', '.', '.']);
    }
    chars
        .into_iter()
        .map(|c| match u32::from(c) {
            code @ (0x20..=0x7e | 0xa0..=0xff) => code as u8,
            _ => b'?',
        })
        .collect()
}

fn text(content: &mut Content, font: Name, size: f32, x: f32, y: f32, value: &[u8]) {
    content.begin_text();
    content.set_font(font, size);
    content.next_line(x, y);
    content.show(Str(value));
    content.end_text();
}

/// One badge with its lower-left corner at (x, y).
fn badge(content: &mut Content, list: &BadgeList, index: usize, x: f32, y: f32, size: (f32, f32)) {
    let person = &list.people[index];
    let (w, h) = size;
    content.save_state();
    content.set_stroke_gray(0.6);
    content.set_line_width(0.5);
    content.rect(x, y, w, h);
    content.stroke();
    // The band on top.
    content.set_fill_rgb(0.85, 0.33, 0.1);
    content.rect(x, y + h - 26.0, w, 26.0);
    content.fill_nonzero();
    content.set_fill_gray(1.0);
    text(content, BOLD, 11.0, x + 10.0, y + h - 17.0, b"SAFETY BADGE");
    content.set_fill_gray(0.0);
    let inner = 10.0;
    let mut line = y + h - 44.0;
    text(
        content,
        REGULAR,
        8.0,
        x + inner,
        line,
        &ansi(&list.project_name, 44),
    );
    line -= 24.0;
    text(
        content,
        BOLD,
        15.0,
        x + inner,
        line,
        &ansi(&person.name, 20),
    );
    line -= 18.0;
    text(
        content,
        REGULAR,
        10.0,
        x + inner,
        line,
        &ansi(&person.company, 26),
    );
    line -= 14.0;
    text(
        content,
        REGULAR,
        10.0,
        x + inner,
        line,
        &ansi(&person.role, 26),
    );
    text(
        content,
        MONO,
        10.0,
        x + inner,
        y + 14.0,
        &ansi(&person.number, 20),
    );
    // The QR code on the right, below the band.
    let payload = qr_payload(list.project, &person.number);
    if let Ok(code) = QrCode::new(payload.as_bytes()) {
        let modules = code.width();
        let side = 82.0_f32;
        let cell = side / modules as f32;
        let (qx, qy) = (x + w - side - inner, y + inner + 14.0);
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == Color::Dark {
                let (col, row) = ((i % modules) as f32, (i / modules) as f32);
                content.rect(qx + col * cell, qy + side - (row + 1.0) * cell, cell, cell);
            }
        }
        content.fill_nonzero();
    }
    content.restore_state();
}

/// The PDF of every badge in `list` (one page with a note when there are none).
pub fn render(list: &BadgeList) -> Vec<u8> {
    let pages = list.people.len().div_ceil(PER_PAGE).max(1);
    let (catalog, tree, info) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let fonts = [
        (REGULAR, Ref::new(4)),
        (BOLD, Ref::new(5)),
        (MONO, Ref::new(6)),
    ];
    let page_ref = |i: usize| Ref::new(7 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(8 + 2 * i as i32);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages).map(page_ref))
        .count(pages as i32);
    let title = format!("Safety badges · {}", list.project_name);
    pdf.document_info(info)
        .title(TextStr(&title))
        .producer(TextStr("Smartapp Project Central"));
    for (name, id) in fonts {
        let base: &[u8] = match name.0 {
            b"F1" => b"Helvetica",
            b"F2" => b"Helvetica-Bold",
            _ => b"Courier-Bold",
        };
        pdf.type1_font(id)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let cell = (
        (PAGE.0 - 2.0 * MARGIN) / COLUMNS as f32,
        (PAGE.1 - 2.0 * MARGIN - 14.0) / ROWS as f32,
    );
    let size = (cell.0 - 8.0, cell.1 - 8.0);
    for page in 0..pages {
        let mut p = pdf.page(page_ref(page));
        p.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .parent(tree)
            .contents(content_ref(page));
        let mut resources = p.resources();
        let mut names = resources.fonts();
        for (name, id) in fonts {
            names.pair(name, id);
        }
        names.finish();
        resources.finish();
        p.finish();

        let mut content = Content::new();
        let first = page * PER_PAGE;
        for slot in 0..PER_PAGE {
            let index = first + slot;
            if index >= list.people.len() {
                break;
            }
            let (col, row) = (slot % COLUMNS, slot / COLUMNS);
            let x = MARGIN + col as f32 * cell.0 + 4.0;
            let y = PAGE.1 - MARGIN - (row + 1) as f32 * cell.1 + 4.0;
            badge(&mut content, list, index, x, y, size);
        }
        if list.people.is_empty() {
            text(
                &mut content,
                REGULAR,
                12.0,
                MARGIN,
                PAGE.1 - MARGIN - 12.0,
                b"No synced users yet.",
            );
        }
        let footer = format!(
            "{} - Safety badges - page {} of {}",
            list.project_name,
            page + 1,
            pages
        );
        text(
            &mut content,
            REGULAR,
            8.0,
            MARGIN,
            MARGIN - 12.0,
            &ansi(&footer, 110),
        );
        pdf.stream(content_ref(page), &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::badges::Badge;
    use app::ids::ProjectId;

    fn list(n: usize) -> BadgeList {
        BadgeList {
            project: ProjectId(77),
            project_name: "Harbor (Point) \\ Tower".into(),
            eligible: true,
            safety: true,
            paused: None,
            admin: true,
            people: (0..n)
                .map(|i| Badge {
                    name: format!("Person {i} Müller"),
                    company: "Harbor Concrete".into(),
                    role: "Foreman".into(),
                    number: format!("SB-0000{i}-AAAAA"),
                })
                .collect(),
        }
    }

    #[test]
    fn text_is_winansi_and_cut_to_fit() {
        assert_eq!(ansi("Müller", 20), b"M\xfcller".to_vec());
        assert_eq!(ansi("王 Li", 20), b"? Li".to_vec());
        assert_eq!(ansi("abcdefghij", 6), b"abc...".to_vec());
    }

    #[test]
    fn eight_badges_a_page() {
        let one = render(&list(1));
        assert!(one.starts_with(b"%PDF-"));
        let count = |pdf: &[u8]| {
            pdf.windows(b"/Type /Page\n".len())
                .filter(|w| *w == b"/Type /Page\n")
                .count()
        };
        assert_eq!(count(&one), 1);
        assert_eq!(count(&render(&list(8))), 1);
        assert_eq!(count(&render(&list(9))), 2);
        assert_eq!(count(&render(&list(0))), 1);
    }
}
