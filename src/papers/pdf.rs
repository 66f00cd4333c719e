//! Draws laid-out pages ([`super::layout`]) into an A4 PDF with krilla, in-process: no browser
//! and no font installed on the machine. The one font is Droid Sans Fallback (Apache-2.0), kept
//! beside this file in `fonts/` and compiled in, deflated (docs/papers.md says why);
//! krilla embeds only the glyphs a paper uses (a subset CID font with its ToUnicode map, so the
//! text can be searched and copied), which keeps a one-page paper near 30 KB. Droid Sans
//! Fallback has no Latin letters or digits: runs of those are set in DejaVu Sans, kept beside it.

use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use super::layout::{Mark, Measure, PAGE_HEIGHT, PAGE_WIDTH};
use crate::error::AppError;

/// The CJK font: compiled into the binary (deflated by build.rs, 2.1 MB instead of 4.0), so a
/// fresh machine needs nothing installed; inflated once, when the first paper is set.
static CJK_FONT: LazyLock<Vec<u8>> = LazyLock::new(|| {
    inflate(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/DroidSansFallbackFull.ttf.deflate"
    )))
});

/// Droid Sans Fallback has no Latin letters or digits: those are set in DejaVu Sans.
static LATIN_FONT: LazyLock<Vec<u8>> = LazyLock::new(|| {
    inflate(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/DejaVuSans.ttf.deflate"
    )))
});

/// The bytes build.rs deflated. Empty if they do not inflate, which only a broken build could
/// cause: the font then fails to parse and the paper is answered as an internal error.
fn inflate(packed: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut font = Vec::new();
    match flate2::read::DeflateDecoder::new(packed).read_to_end(&mut font) {
        Ok(_) => font,
        Err(error) => {
            tracing::error!(%error, "a compiled-in font does not inflate");
            Vec::new()
        }
    }
}

fn cjk_bytes() -> &'static [u8] {
    &CJK_FONT
}

fn latin_bytes() -> &'static [u8] {
    &LATIN_FONT
}

/// Both fonts as krilla holds them, parsed once per process.
static FONTS: LazyLock<Option<(Font, Font)>> = LazyLock::new(|| {
    Some((
        Font::new(cjk_bytes().into(), 0)?,
        Font::new(latin_bytes().into(), 0)?,
    ))
});

/// Measures text with the fonts' own advances, so lines break where they will be drawn, and
/// says which font sets each character.
pub struct FontMeasure {
    cjk: skrifa::FontRef<'static>,
    latin: skrifa::FontRef<'static>,
}

impl FontMeasure {
    /// The measure of the embedded fonts.
    pub fn new() -> Result<Self, AppError> {
        let read = |bytes| {
            skrifa::FontRef::new(bytes).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("the paper font is unreadable: {e}"))
            })
        };
        Ok(Self {
            cjk: read(cjk_bytes())?,
            latin: read(latin_bytes())?,
        })
    }

    /// Whether the CJK font sets `c` (else the Latin one does).
    fn is_cjk(&self, c: char) -> bool {
        self.cjk.charmap().map(c).is_some()
    }

    fn advance(&self, c: char, size: f32) -> f32 {
        let font = if self.is_cjk(c) {
            &self.cjk
        } else {
            &self.latin
        };
        font.charmap()
            .map(c)
            .and_then(|glyph| {
                font.glyph_metrics(Size::new(size), LocationRef::default())
                    .advance_width(glyph)
            })
            .unwrap_or(size / 2.0)
    }

    /// `text` cut into runs set in one font: (is CJK, run).
    fn runs(&self, text: &str) -> Vec<(bool, String)> {
        let mut runs: Vec<(bool, String)> = Vec::new();
        for c in text.chars() {
            let cjk = self.is_cjk(c);
            match runs.last_mut() {
                Some((kind, run)) if *kind == cjk => run.push(c),
                _ => runs.push((cjk, c.to_string())),
            }
        }
        runs
    }
}

impl Measure for FontMeasure {
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c, size)).sum()
    }
}

/// The PDF of `pages`, titled `title`.
pub fn render(title: &str, pages: &[Vec<Mark>]) -> Result<Vec<u8>, AppError> {
    let fonts = FONTS
        .clone()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the paper font is unreadable")))?;
    let measure = FontMeasure::new()?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language("zh-CN".to_owned())
            .creator("mediation-tracker".to_owned()),
    );
    for marks in pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad page size")))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for mark in marks {
            draw(&mut surface, &fonts, &measure, mark);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing the PDF failed: {e:?}")))
}

fn draw(
    surface: &mut krilla::surface::Surface<'_>,
    (cjk, latin): &(Font, Font),
    measure: &FontMeasure,
    mark: &Mark,
) {
    match mark {
        Mark::Text { x, y, size, text } => {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill::default()));
            let mut at = *x;
            for (is_cjk, run) in measure.runs(text) {
                let font = if is_cjk { cjk } else { latin };
                surface.draw_text(
                    Point::from_xy(at, *y),
                    font.clone(),
                    *size,
                    &run,
                    false,
                    TextDirection::LeftToRight,
                );
                at += measure.width(&run, *size);
            }
        }
        Mark::Line { from, to } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            stroke(surface, path, 0.6, rgb::Color::new(0, 0, 0));
        }
        Mark::Circle { centre, radius } => {
            stroke(
                surface,
                circle(*centre, *radius),
                1.5,
                rgb::Color::new(200, 30, 30),
            );
        }
    }
}

fn stroke(
    surface: &mut krilla::surface::Surface<'_>,
    path: PathBuilder,
    width: f32,
    colour: rgb::Color,
) {
    let Some(path) = path.finish() else { return };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: colour.into(),
        width,
        opacity: NormalizedF32::ONE,
        ..Stroke::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

/// A circle as four Bézier quarters.
fn circle((cx, cy): (f32, f32), r: f32) -> PathBuilder {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let mut path = PathBuilder::new();
    path.move_to(cx + r, cy);
    path.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    path.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    path.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    path.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    path.close();
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::papers::layout::{lay_out, Block, Frame};

    #[test]
    fn the_embedded_font_has_every_character_a_paper_prints() {
        let measure = FontMeasure::new().expect("the fonts");
        for c in
            "调解协议书受理通知不予终止司法确认申请支付令协助函卷宗封面目录第页共元：（）＿".chars()
        {
            assert!(measure.is_cjk(c), "{c} has no CJK glyph");
        }
        for c in "ABCxyz0123456789.-·".chars() {
            let font = if measure.is_cjk(c) {
                &measure.cjk
            } else {
                &measure.latin
            };
            assert!(font.charmap().map(c).is_some(), "{c} has no glyph");
        }
        assert_eq!(measure.runs("编号：HS-2026").len(), 2);
    }

    #[test]
    fn a_paper_is_a_small_pdf_with_the_font_subset_inside() {
        let measure = FontMeasure::new().expect("the font");
        let frame = Frame {
            office: "调解中心".into(),
            serial: "TJ-2026-0001".into(),
        };
        let pages = lay_out(&[Block::Title("受理通知书".into())], &frame, &measure);
        let pdf = render("受理通知书", &pages).expect("a pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.len() < 100_000,
            "{} bytes: the font was not subset",
            pdf.len()
        );
    }
}
