//! Bar charts drawn on the server as inline SVG: data in, markup out, nothing else. People read
//! the supervisor's figures faster as bars, and a chart drawn here needs no script and no
//! inline style (the console's Content-Security-Policy allows neither): the shapes are placed
//! with SVG attributes and coloured by the `.chart` classes of `console.css`.
//!
//! Every chart is an image with a name (`role="img"`, `aria-labelledby` pointing at its
//! `<title>`); the page puts a table with the same numbers beside it, which is what a screen
//! reader reads. Every text that comes from data — labels, series names, values, the title — is
//! escaped here, so the page may insert the SVG as it is.

use std::fmt::Write;

/// Which way the bars run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Vertical bars, one group per label along the bottom (a time series: months).
    Columns,
    /// Horizontal bars, one row per label (categories with long names).
    Rows,
}

/// One set of bars: a value per label, and how each value is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
    /// The values as a person reads them (`3`, `66.7%`, `2500.00`), one per value.
    pub shown: Vec<String>,
}

/// A chart to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Unique on the page: the `<svg>`'s and its `<title>`'s ids start with it.
    pub id: String,
    pub title: String,
    pub shape: Shape,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// What an empty chart says.
    pub no_data: String,
}

/// The drawing's width in SVG units; the stylesheet scales it down on narrow screens.
pub const WIDTH: f64 = 640.0;
/// The height of a column chart's plot area.
pub const PLOT_HEIGHT: f64 = 200.0;
/// The class of each series' bars, in order (`console.css`).
const SERIES_CLASSES: [&str; 3] = ["bar", "bar second", "bar third"];
const FONT: f64 = 12.0;
/// The widest a column gets, however few there are.
const MAX_COLUMN: f64 = 40.0;

/// `text` safe inside SVG text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The top of the value axis: the smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `max` (1 when
/// there is nothing to show), so the bars use the height and the scale reads round.
pub fn axis_top(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|step| step * power)
        .find(|top| *top >= max)
        .unwrap_or(10.0 * power)
}

/// The width a text takes at the chart's font size, roughly: full width for Chinese.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { FONT * 0.6 } else { FONT })
        .sum()
}

/// `text` cut (with "…") to fit `width`.
fn fitted(text: &str, width: f64) -> String {
    if text_width(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&out) + text_width(&c.to_string()) + FONT > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A number for an SVG attribute.
fn n(value: f64) -> String {
    format!("{value:.1}")
}

/// Draws `chart` as an `<svg>` element.
pub fn draw(chart: &Chart) -> String {
    let empty = chart.labels.is_empty() || chart.series.is_empty();
    if empty {
        return empty_chart(chart);
    }
    match chart.shape {
        Shape::Columns => columns(chart),
        Shape::Rows => rows(chart),
    }
}

/// The opening of the `<svg>` with its name.
fn open(chart: &Chart, height: f64) -> String {
    let id = escape(&chart.id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" \
         aria-labelledby=\"{id}-title\" id=\"{id}\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\"><title id=\"{id}-title\">{title}</title>",
        w = n(WIDTH),
        h = n(height),
        title = escape(&chart.title),
    )
}

fn empty_chart(chart: &Chart) -> String {
    let height = 80.0;
    let mut svg = open(chart, height);
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"40.0\" y1=\"60.0\" x2=\"{}\" y2=\"60.0\"/>\
         <text class=\"no-data\" x=\"{}\" y=\"40.0\" text-anchor=\"middle\">{}</text></svg>",
        n(WIDTH - 12.0),
        n(WIDTH / 2.0),
        escape(&chart.no_data)
    );
    svg
}

/// The legend of a chart with more than one series, along its top; its height.
fn legend(svg: &mut String, chart: &Chart, left: f64) -> f64 {
    if chart.series.len() < 2 {
        return 8.0;
    }
    let mut x = left;
    for (index, series) in chart.series.iter().enumerate() {
        let class = SERIES_CLASSES[index % SERIES_CLASSES.len()];
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{}\" y=\"6.0\" width=\"12.0\" height=\"12.0\"/>\
             <text x=\"{}\" y=\"16.0\">{}</text>",
            n(x),
            n(x + 16.0),
            escape(&series.name)
        );
        x += 16.0 + text_width(&series.name) + 20.0;
    }
    28.0
}

fn highest(chart: &Chart) -> f64 {
    chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

fn value_at(series: &Series, index: usize) -> (f64, String) {
    let value = series
        .values
        .get(index)
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(0.0);
    let shown = series.shown.get(index).cloned().unwrap_or_default();
    (value, shown)
}

/// A bar with its tooltip: "label · series: value".
fn bar(svg: &mut String, class: &str, (x, y, w, h): (f64, f64, f64, f64), tip: &str) {
    let _ = write!(
        svg,
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">\
         <title>{}</title></rect>",
        n(x),
        n(y),
        n(w),
        n(h),
        escape(tip)
    );
}

fn tip(chart: &Chart, label: &str, series: &Series, shown: &str) -> String {
    if chart.series.len() > 1 {
        format!("{label} · {}: {shown}", series.name)
    } else {
        format!("{label}: {shown}")
    }
}

fn columns(chart: &Chart) -> String {
    let (left, right, bottom) = (48.0, 12.0, 28.0);
    let mut body = String::new();
    let top = legend(&mut body, chart, left) + 14.0;
    let height = top + PLOT_HEIGHT + bottom;
    let base = top + PLOT_HEIGHT;
    let scale = axis_top(highest(chart));
    let plot_width = WIDTH - left - right;
    let group = plot_width / chart.labels.len() as f64;
    let bar_width = (group * 0.7 / chart.series.len() as f64).min(MAX_COLUMN);
    let _ = write!(
        body,
        "<line class=\"grid\" x1=\"{l}\" y1=\"{t}\" x2=\"{r}\" y2=\"{t}\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{top_value}</text>\
         <text x=\"{lx}\" y=\"{by}\" text-anchor=\"end\">0</text>",
        l = n(left),
        r = n(WIDTH - right),
        t = n(top),
        lx = n(left - 6.0),
        ty = n(top + 4.0),
        by = n(base + 4.0),
        top_value = escape(&trimmed(scale)),
    );
    // Every label when they fit, else every k-th, so they never overlap.
    let widest = chart
        .labels
        .iter()
        .map(|l| text_width(l))
        .fold(0.0, f64::max)
        + 8.0;
    let every = (widest / group).ceil().max(1.0) as usize;
    for (index, label) in chart.labels.iter().enumerate() {
        let bars_width = bar_width * chart.series.len() as f64;
        let group_left = left + group * index as f64 + (group - bars_width) / 2.0;
        for (s, series) in chart.series.iter().enumerate() {
            let (value, shown) = value_at(series, index);
            let h = value / scale * PLOT_HEIGHT;
            let x = group_left + bar_width * s as f64;
            let class = SERIES_CLASSES[s % SERIES_CLASSES.len()];
            bar(
                &mut body,
                class,
                (x, base - h, bar_width, h),
                &tip(chart, label, series, &shown),
            );
            if bar_width >= text_width(&shown) + 2.0 {
                let _ = write!(
                    body,
                    "<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    n(x + bar_width / 2.0),
                    n(base - h - 4.0),
                    escape(&shown)
                );
            }
        }
        if index % every == 0 {
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                n(left + group * (index as f64 + 0.5)),
                n(base + 18.0),
                escape(label)
            );
        }
    }
    let _ = write!(
        body,
        "<line class=\"axis\" x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/></svg>",
        l = n(left),
        r = n(WIDTH - right),
        b = n(base)
    );
    open(chart, height) + &body
}

fn rows(chart: &Chart) -> String {
    let label_width = chart
        .labels
        .iter()
        .map(|l| text_width(l))
        .fold(48.0, f64::max)
        .min(220.0);
    let left = label_width + 12.0;
    let value_room = 72.0;
    let plot_width = WIDTH - left - value_room;
    let bar_height = 14.0;
    let row_height = bar_height * chart.series.len() as f64 + 10.0;
    let mut body = String::new();
    let top = legend(&mut body, chart, left);
    let height = top + row_height * chart.labels.len() as f64 + 8.0;
    let scale = axis_top(highest(chart));
    for (index, label) in chart.labels.iter().enumerate() {
        let row_top = top + row_height * index as f64 + 5.0;
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(label_width + 4.0),
            n(row_top + row_height / 2.0),
            escape(&fitted(label, label_width))
        );
        for (s, series) in chart.series.iter().enumerate() {
            let (value, shown) = value_at(series, index);
            let w = value / scale * plot_width;
            let y = row_top + bar_height * s as f64;
            let class = SERIES_CLASSES[s % SERIES_CLASSES.len()];
            bar(
                &mut body,
                class,
                (left, y, w, bar_height - 2.0),
                &tip(chart, label, series, &shown),
            );
            let _ = write!(
                body,
                "<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>",
                n(left + w + 4.0),
                n(y + bar_height - 3.0),
                escape(&shown)
            );
        }
    }
    let _ = write!(
        body,
        "<line class=\"axis\" x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\"/></svg>",
        l = n(left),
        t = n(top),
        b = n(height - 4.0)
    );
    open(chart, height) + &body
}

/// `2.5` as `2.5`, `100.0` as `100`.
fn trimmed(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests;
