//! The typesetting of a paper: a list of blocks (title, paragraphs, fields, ruled tables,
//! signature lines, the seal) broken into lines and A4 pages of positioned marks. Pure: the only
//! thing it asks of the font is how wide a piece of text is ([`Measure`]), so the line and page
//! breaking is unit-tested without a font, and the PDF writer (`pdf.rs`) only draws the marks.

/// A4 in PDF points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_X: f32 = 68.0;
const TOP: f32 = 78.0;
const BOTTOM: f32 = PAGE_HEIGHT - 70.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const BODY: f32 = 11.0;
const SMALL: f32 = 9.0;
const LEADING: f32 = 1.55;

/// How wide `text` is at `size` points, in points.
pub trait Measure {
    fn width(&self, text: &str, size: f32) -> f32;
}

/// One block of a paper, in reading order.
#[derive(Debug, Clone)]
pub enum Block {
    /// The paper's name, centred and large.
    Title(String),
    /// A centred line under the title (the serial number).
    Subtitle(String),
    /// A section heading.
    Heading(String),
    /// A paragraph with the first line indented two characters, as Chinese papers are written.
    Paragraph(String),
    /// A paragraph without indent.
    Plain(String),
    /// `label：value`, the value wrapped under itself.
    Field(String, String),
    /// A ruled table: column headings, relative column widths, rows of cells.
    Table {
        headings: Vec<String>,
        widths: Vec<f32>,
        rows: Vec<Vec<String>>,
    },
    /// One signature line per party: `name（签名或盖章）：＿＿＿＿ ＿＿年＿＿月＿＿日`.
    Signatures(Vec<String>),
    /// The office's seal block: its name and the date, right-aligned, with the seal's circle.
    Seal { office: String, date: String },
    /// Vertical space, in points.
    Gap(f32),
    /// Starts a new page.
    PageBreak,
}

/// A mark on a page; y grows downwards, text is placed by its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
    },
    Circle {
        centre: (f32, f32),
        radius: f32,
    },
}

/// What every page carries besides its body: the office's name and the serial in the header,
/// "第 i 页 共 n 页" in the footer.
pub struct Frame {
    pub office: String,
    pub serial: String,
}

/// Lays `blocks` out on A4 pages.
pub fn lay_out(blocks: &[Block], frame: &Frame, measure: &dyn Measure) -> Vec<Vec<Mark>> {
    let mut pen = Pen {
        measure,
        pages: vec![Vec::new()],
        y: TOP,
    };
    for block in blocks {
        pen.block(block);
    }
    let total = pen.pages.len();
    let mut pages = pen.pages;
    for (index, page) in pages.iter_mut().enumerate() {
        decorate(page, frame, index + 1, total, measure);
    }
    pages
}

/// The footer's words, so that tests and the HTML version say the same.
pub fn page_number(page: usize, total: usize) -> String {
    format!("第 {page} 页 共 {total} 页")
}

fn decorate(page: &mut Vec<Mark>, frame: &Frame, number: usize, total: usize, m: &dyn Measure) {
    page.push(text(MARGIN_X, 50.0, SMALL, &frame.office));
    let serial_width = m.width(&frame.serial, SMALL);
    page.push(text(
        PAGE_WIDTH - MARGIN_X - serial_width,
        50.0,
        SMALL,
        &frame.serial,
    ));
    page.push(Mark::Line {
        from: (MARGIN_X, 56.0),
        to: (PAGE_WIDTH - MARGIN_X, 56.0),
    });
    let footer = page_number(number, total);
    let width = m.width(&footer, SMALL);
    page.push(text(
        (PAGE_WIDTH - width) / 2.0,
        PAGE_HEIGHT - 40.0,
        SMALL,
        &footer,
    ));
}

fn text(x: f32, y: f32, size: f32, value: &str) -> Mark {
    Mark::Text {
        x,
        y,
        size,
        text: value.to_owned(),
    }
}

/// Breaks `value` into lines no wider than `width`: between any two characters (Chinese has no
/// spaces), at explicit newlines, and never leaving a line's closing punctuation alone on the
/// next line's start.
pub fn wrap(value: &str, size: f32, width: f32, first_indent: f32, m: &dyn Measure) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in value.split('\n') {
        let mut line = String::new();
        let mut limit = width - if lines.is_empty() { first_indent } else { 0.0 };
        for c in paragraph.chars() {
            let mut candidate = line.clone();
            candidate.push(c);
            if !line.is_empty() && m.width(&candidate, size) > limit && !is_closing(c) {
                let tail = latin_word_tail(&line, c);
                let kept = line.len() - tail.len();
                lines.push(line[..kept].trim_end().to_owned());
                line = tail;
                limit = width;
                line.push(c);
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

/// When a break falls inside a Latin word, the word's start on the line (moved to the next
/// line with it); empty otherwise. Words longer than 24 letters (hashes, ids) still break.
fn latin_word_tail(line: &str, next: char) -> String {
    if !next.is_ascii_alphanumeric() {
        return String::new();
    }
    let start = line
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric())
        .last()
        .map(|(i, _)| i);
    match start {
        Some(i) if i > 0 && line.len() - i < 24 && line[..i].ends_with(' ') => line[i..].to_owned(),
        _ => String::new(),
    }
}

fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』”,.;:)".contains(c)
}

struct Pen<'a> {
    measure: &'a dyn Measure,
    pages: Vec<Vec<Mark>>,
    y: f32,
}

impl Pen<'_> {
    fn page(&mut self) -> &mut Vec<Mark> {
        self.pages.last_mut().expect("there is always a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Makes room for `height` points, on a new page when this one is too full.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn centred(&mut self, value: &str, size: f32) {
        let line = size * LEADING;
        self.room(line);
        let width = self.measure.width(value, size);
        let y = self.y + size;
        self.page().push(text(
            MARGIN_X + (CONTENT_WIDTH - width).max(0.0) / 2.0,
            y,
            size,
            value,
        ));
        self.y += line;
    }

    fn lines(&mut self, lines: &[String], x: f32, first_x: f32, size: f32) {
        for (index, line) in lines.iter().enumerate() {
            self.room(size * LEADING);
            let y = self.y + size;
            let at = if index == 0 { first_x } else { x };
            self.page().push(text(at, y, size, line));
            self.y += size * LEADING;
        }
    }

    fn block(&mut self, block: &Block) {
        let m = self.measure;
        match block {
            Block::Title(value) => {
                self.centred(value, 20.0);
                self.y += 4.0;
            }
            Block::Subtitle(value) => self.centred(value, SMALL + 1.0),
            Block::Heading(value) => {
                self.room(BODY * LEADING * 3.0);
                self.y += 6.0;
                self.lines(std::slice::from_ref(value), MARGIN_X, MARGIN_X, 13.0);
            }
            Block::Paragraph(value) => {
                let indent = 2.0 * BODY;
                let lines = wrap(value, BODY, CONTENT_WIDTH, indent, m);
                self.lines(&lines, MARGIN_X, MARGIN_X + indent, BODY);
            }
            Block::Plain(value) => {
                let lines = wrap(value, BODY, CONTENT_WIDTH, 0.0, m);
                self.lines(&lines, MARGIN_X, MARGIN_X, BODY);
            }
            Block::Field(label, value) => {
                let label = format!("{label}：");
                let indent = m.width(&label, BODY).min(CONTENT_WIDTH / 2.0);
                let lines = wrap(value, BODY, CONTENT_WIDTH - indent, 0.0, m);
                self.room(BODY * LEADING);
                let y = self.y + BODY;
                self.page().push(text(MARGIN_X, y, BODY, &label));
                self.lines(&lines, MARGIN_X + indent, MARGIN_X + indent, BODY);
            }
            Block::Table {
                headings,
                widths,
                rows,
            } => self.table(headings, widths, rows),
            Block::Signatures(names) => {
                self.room(BODY * LEADING * 2.0 * names.len().min(3) as f32);
                for name in names {
                    self.y += BODY;
                    let line =
                        format!("{name}（签名或盖章）：＿＿＿＿＿＿＿＿　　＿＿＿＿年＿＿月＿＿日");
                    let lines = wrap(&line, BODY, CONTENT_WIDTH, 0.0, m);
                    self.lines(&lines, MARGIN_X, MARGIN_X, BODY);
                }
            }
            Block::Seal { office, date } => self.seal(office, date),
            Block::Gap(points) => self.y += points,
            Block::PageBreak => self.new_page(),
        }
    }

    fn seal(&mut self, office: &str, date: &str) {
        let radius = 40.0;
        self.room(2.0 * radius + 20.0);
        let right = PAGE_WIDTH - MARGIN_X;
        let centre = (right - radius - 10.0, self.y + radius + 4.0);
        self.page().push(Mark::Circle { centre, radius });
        let mark = "（印章）";
        let width = self.measure.width(mark, SMALL);
        self.page().push(text(
            centre.0 - width / 2.0,
            centre.1 + SMALL / 2.0,
            SMALL,
            mark,
        ));
        for (index, value) in [office, date].into_iter().enumerate() {
            let width = self.measure.width(value, BODY);
            let y = centre.1 - 4.0 + index as f32 * BODY * LEADING;
            self.page()
                .push(text(centre.0 - radius - 12.0 - width, y, BODY, value));
        }
        self.y = centre.1 + radius + 12.0;
    }

    fn table(&mut self, headings: &[String], widths: &[f32], rows: &[Vec<String>]) {
        let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
        let columns: Vec<f32> = widths.iter().map(|w| w / total * CONTENT_WIDTH).collect();
        let heading_cells: Vec<String> = headings.to_vec();
        self.room(SMALL * LEADING * 3.0);
        self.row(&heading_cells, &columns);
        for row in rows {
            let height = self.row_height(row, &columns);
            if self.y + height > BOTTOM {
                self.new_page();
                self.row(&heading_cells, &columns);
            }
            self.row(row, &columns);
        }
        self.y += 6.0;
    }

    fn cell_lines(&self, value: &str, width: f32) -> Vec<String> {
        let mut lines = wrap(value, SMALL, width - 6.0, 0.0, self.measure);
        let most = ((BOTTOM - TOP) / (SMALL * LEADING)) as usize - 4;
        lines.truncate(most);
        lines
    }

    fn row_height(&self, cells: &[String], columns: &[f32]) -> f32 {
        let most = cells
            .iter()
            .zip(columns)
            .map(|(cell, width)| self.cell_lines(cell, *width).len())
            .max()
            .unwrap_or(1);
        most as f32 * SMALL * LEADING + 6.0
    }

    fn row(&mut self, cells: &[String], columns: &[f32]) {
        let height = self.row_height(cells, columns);
        let top = self.y;
        let mut x = MARGIN_X;
        for (cell, width) in cells.iter().zip(columns) {
            for (index, line) in self.cell_lines(cell, *width).iter().enumerate() {
                let y = top + 3.0 + SMALL + index as f32 * SMALL * LEADING;
                self.page().push(text(x + 3.0, y, SMALL, line));
            }
            self.page().push(Mark::Line {
                from: (x, top),
                to: (x, top + height),
            });
            x += width;
        }
        let right = MARGIN_X + columns.iter().sum::<f32>();
        self.page().push(Mark::Line {
            from: (right, top),
            to: (right, top + height),
        });
        for y in [top, top + height] {
            self.page().push(Mark::Line {
                from: (MARGIN_X, y),
                to: (right, y),
            });
        }
        self.y = top + height;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one em wide, as CJK characters are.
    struct Square;
    impl Measure for Square {
        fn width(&self, text: &str, size: f32) -> f32 {
            text.chars().count() as f32 * size
        }
    }

    fn texts(page: &[Mark]) -> Vec<String> {
        page.iter()
            .filter_map(|m| match m {
                Mark::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    fn frame() -> Frame {
        Frame {
            office: "某某调解中心".into(),
            serial: "TJ-2026-0001".into(),
        }
    }

    #[test]
    fn a_long_line_breaks_between_characters_within_the_width() {
        let lines = wrap(&"字".repeat(25), 10.0, 100.0, 0.0, &Square);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].chars().count(), 10);
        assert_eq!(lines[2].chars().count(), 5);
    }

    #[test]
    fn closing_punctuation_stays_on_the_line_it_closes() {
        let lines = wrap("一二三四五。六", 10.0, 50.0, 0.0, &Square);
        assert_eq!(lines[0], "一二三四五。");
        assert_eq!(lines[1], "六");
    }

    #[test]
    fn a_latin_word_moves_to_the_next_line_whole() {
        let lines = wrap("owner unreachable", 10.0, 120.0, 0.0, &Square);
        assert_eq!(lines, vec!["owner".to_string(), "unreachable".to_string()]);
    }

    #[test]
    fn the_first_line_of_an_indented_paragraph_is_shorter() {
        let lines = wrap(&"字".repeat(10), 10.0, 50.0, 20.0, &Square);
        assert_eq!(lines[0].chars().count(), 3);
        assert_eq!(lines[1].chars().count(), 5);
    }

    #[test]
    fn every_page_says_its_number_and_the_total_and_carries_the_serial() {
        let blocks: Vec<Block> = (0..80).map(|i| Block::Plain(format!("第{i}行"))).collect();
        let pages = lay_out(&blocks, &frame(), &Square);
        assert!(pages.len() >= 2, "80 lines do not fit one page");
        for (index, page) in pages.iter().enumerate() {
            let words = texts(page);
            assert!(words.contains(&page_number(index + 1, pages.len())));
            assert!(words.contains(&"TJ-2026-0001".to_string()));
            assert!(words.contains(&"某某调解中心".to_string()));
        }
    }

    #[test]
    fn a_table_that_spills_over_repeats_its_headings_on_the_next_page() {
        let rows = (0..60)
            .map(|i| vec![format!("{i}"), "内容".into()])
            .collect();
        let blocks = vec![Block::Table {
            headings: vec!["序号".into(), "事项".into()],
            widths: vec![1.0, 3.0],
            rows,
        }];
        let pages = lay_out(&blocks, &frame(), &Square);
        assert!(pages.len() >= 2);
        assert!(texts(&pages[1]).contains(&"序号".to_string()));
    }

    #[test]
    fn a_page_break_starts_a_new_page() {
        let blocks = vec![
            Block::Title("封面".into()),
            Block::PageBreak,
            Block::Plain("目录".into()),
        ];
        let pages = lay_out(&blocks, &frame(), &Square);
        assert_eq!(pages.len(), 2);
        assert!(texts(&pages[1]).contains(&"目录".to_string()));
    }
}
