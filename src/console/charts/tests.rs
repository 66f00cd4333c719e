//! The charts drawn from known figures.
use super::*;

fn series(name: &str, values: &[f64]) -> Series {
    Series {
        name: name.into(),
        values: values.to_vec(),
        shown: values.iter().map(|v| trimmed(*v)).collect(),
    }
}

fn chart(shape: Shape, labels: &[&str], series: Vec<Series>) -> Chart {
    Chart {
        id: "c".into(),
        title: "每月收案".into(),
        shape,
        labels: labels.iter().map(|l| l.to_string()).collect(),
        series,
        no_data: "暂无数据".into(),
    }
}

/// The `(attribute, value)` of every `<rect class="bar…">` in `svg`, in order.
fn bars(svg: &str, attribute: &str) -> Vec<f64> {
    svg.split("<rect class=\"bar")
        .skip(1)
        .filter(|rest| rest.contains("<title>"))
        .filter_map(|rest| {
            let key = format!(" {attribute}=\"");
            let start = rest.find(&key)? + key.len();
            rest[start..].split('"').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn the_axis_tops_at_a_round_number_at_or_above_the_highest_value() {
    assert_eq!(axis_top(0.0), 1.0);
    assert_eq!(axis_top(1.0), 1.0);
    assert_eq!(axis_top(3.0), 5.0);
    assert_eq!(axis_top(17.0), 20.0);
    assert_eq!(axis_top(21.0), 25.0);
    assert_eq!(axis_top(100.0), 100.0);
    assert_eq!(axis_top(101.0), 200.0);
}

#[test]
fn column_heights_are_proportional_to_the_values_on_a_round_scale() {
    let drawn = draw(&chart(
        Shape::Columns,
        &["2026-01", "2026-02"],
        vec![series("收案", &[50.0, 100.0]), series("结案", &[25.0, 0.0])],
    ));
    assert_eq!(bars(&drawn, "height"), vec![100.0, 50.0, 200.0, 0.0]);
    let tops = bars(&drawn, "y");
    assert_eq!(
        tops[0] + 100.0,
        tops[2] + 200.0,
        "bars stand on one baseline"
    );
    assert!(drawn.contains(">2026-02</text>") && drawn.contains(">结案</text>"));
}

#[test]
fn row_lengths_are_proportional_to_the_values() {
    let drawn = draw(&chart(
        Shape::Rows,
        &["拖欠工资", "工伤待遇"],
        vec![series("案件", &[4.0, 1.0])],
    ));
    let widths = bars(&drawn, "width");
    assert_eq!(widths.len(), 2);
    assert!((widths[0] - 4.0 * widths[1]).abs() < 0.5, "{widths:?}");
    assert!(drawn.contains(">拖欠工资</text>"));
}

#[test]
fn every_text_from_the_data_is_escaped() {
    let mut hostile = chart(
        Shape::Rows,
        &["<script>alert(1)</script>"],
        vec![series("a\"b&c", &[1.0])],
    );
    hostile.title = "</title><script>".into();
    hostile.id = "x\" onload=\"y".into();
    hostile.series[0].shown = vec!["<b>1</b>".into()];
    for shape in [Shape::Rows, Shape::Columns] {
        hostile.shape = shape;
        let drawn = draw(&hostile);
        assert!(!drawn.contains("<script"), "{drawn}");
        assert!(
            !drawn.contains("<b>") && !drawn.contains("\" onload"),
            "{drawn}"
        );
        assert!(
            drawn.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{drawn}"
        );
        assert!(drawn.contains("&lt;/title&gt;&lt;script&gt;"), "{drawn}");
        assert!(drawn.contains("&lt;b&gt;1&lt;/b&gt;"), "{drawn}");
    }
}

#[test]
fn a_chart_has_an_accessible_name_from_its_title() {
    let drawn = draw(&chart(
        Shape::Columns,
        &["2026-01"],
        vec![series("收案", &[1.0])],
    ));
    assert!(drawn.starts_with("<svg "));
    assert!(drawn.contains(r#"role="img" aria-labelledby="c-title""#));
    assert!(drawn.contains(r#"<title id="c-title">每月收案</title>"#));
    assert!(drawn.ends_with("</svg>"));
    assert!(!drawn.contains("style="), "the CSP forbids inline styles");
}

#[test]
fn an_empty_chart_says_there_is_no_data_and_draws_no_bar() {
    for drawn in [
        draw(&chart(Shape::Columns, &[], vec![series("收案", &[])])),
        draw(&chart(Shape::Rows, &["a"], Vec::new())),
    ] {
        assert!(drawn.contains(">暂无数据</text>"), "{drawn}");
        assert!(!drawn.contains("class=\"bar"), "{drawn}");
        assert!(drawn.contains(r#"role="img""#) && drawn.contains("<title id=\"c-title\">"));
    }
}

#[test]
fn long_labels_are_cut_to_fit_and_crowded_month_labels_thinned() {
    let long = "很长很长很长很长很长很长很长很长很长很长很长很长的名字";
    let drawn = draw(&chart(Shape::Rows, &[long], vec![series("a", &[1.0])]));
    assert!(drawn.contains('…') && !drawn.contains(&format!(">{long}<")));
    let months: Vec<String> = (1..=36).map(|m| format!("M{m:02}")).collect();
    let labels: Vec<&str> = months.iter().map(String::as_str).collect();
    let drawn = draw(&chart(
        Shape::Columns,
        &labels,
        vec![series("a", &[1.0; 36])],
    ));
    assert!(drawn.contains(">M01</text>"));
    assert!(
        labels
            .iter()
            .filter(|l| drawn.contains(&format!(">{l}</text>")))
            .count()
            < 36
    );
}
