//! Bar charts rendered on the server as accessible SVG: `role="img"` with a `<title>`
//! and a `<desc>` that sums the data up in words, labelled axes, a `<title>` (tooltip)
//! per bar, and the numbers as a table in a `<details>` below. Nothing needs the
//! browser: the chart reads the same with or without JavaScript.

use super::report_table::DataTable;
use crate::api::manager::Table;
use leptos::prelude::*;

/// One series of bars. With several series the bars are stacked, first at the bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    /// Shown in the legend and tooltips.
    pub name: String,
    /// CSS class of its bars (its colour).
    pub class: &'static str,
    /// One value per category; `None` draws no bar (no data).
    pub values: Vec<Option<f64>>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChartData {
    /// Unique within the page; prefixes the element ids.
    pub id: &'static str,
    /// The chart's title.
    pub title: String,
    /// The data in words, for people who cannot see the chart.
    pub desc: String,
    /// Under the horizontal axis.
    pub x_label: String,
    /// Beside the vertical axis.
    pub y_label: String,
    /// One label per bar position (in tooltips).
    pub categories: Vec<String>,
    /// A short form of each category for the axis.
    pub ticks: Vec<String>,
    /// Bottom to top.
    pub series: Vec<BarSeries>,
    /// A fixed top of the scale (100 for percentages); else rounded up from the data.
    pub y_max: Option<f64>,
    /// Appended to values in tooltips and tick labels ("%" or "").
    pub unit: &'static str,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 52.0;

/// The smallest "nice" number (1, 2 or 5 times a power of ten) at or above `v`.
pub fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * magnitude)
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A bar chart with its table. `table` holds the same numbers (it is also the CSV).
#[component]
pub fn BarChart(
    /// What to draw.
    chart: BarChartData,
    /// The numbers behind it.
    table: Table,
    /// Query string for the table's CSV link.
    query: String,
) -> impl IntoView {
    let id = chart.id;
    let n = chart.categories.len().max(1);
    let totals: Vec<f64> = (0..n)
        .map(|i| {
            chart
                .series
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten())
                .sum()
        })
        .collect();
    let top = chart
        .y_max
        .unwrap_or_else(|| nice_ceiling(totals.iter().copied().fold(0.0, f64::max)));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.8).max(1.0);
    let y = move |v: f64| TOP + plot_h - (v / top).clamp(0.0, 1.0) * plot_h;
    // At most about 12 category labels fit under the axis.
    let every = n.div_ceil(12);
    let ticks: Vec<f64> = (0..=4).map(|i| top * f64::from(i) / 4.0).collect();
    let unit = chart.unit;

    let mut bars = Vec::new();
    for (i, category) in chart.categories.iter().enumerate() {
        let mut base = 0.0;
        for s in &chart.series {
            let Some(v) = s.values.get(i).copied().flatten() else {
                continue;
            };
            let (y0, y1) = (y(base), y(base + v));
            base += v;
            bars.push(view! {
                <rect
                    class=format!("bar {}", s.class)
                    x=num(LEFT + slot * i as f64 + (slot - bar_w) / 2.0)
                    y=num(y1)
                    width=num(bar_w)
                    height=num((y0 - y1).max(0.0))
                >
                    <title>{format!("{category}: {} {}{unit}", s.name, num(v))}</title>
                </rect>
            });
        }
    }
    let labels = chart
        .ticks
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, c)| {
            let x = LEFT + slot * i as f64 + slot / 2.0;
            view! {
                <text class="tick" x=num(x) y=num(TOP + plot_h + 16.0) text-anchor="middle">
                    {c.clone()}
                </text>
            }
        })
        .collect_view();
    let grid = ticks
        .iter()
        .map(|t| {
            view! {
                <line class="grid" x1=num(LEFT) x2=num(WIDTH - RIGHT) y1=num(y(*t)) y2=num(y(*t)) />
                <text class="tick" x=num(LEFT - 6.0) y=num(y(*t) + 4.0) text-anchor="end">
                    {format!("{}{unit}", num(*t))}
                </text>
            }
        })
        .collect_view();
    let legend = (chart.series.len() > 1).then(|| {
        view! {
            <ul class="legend">
                {chart
                    .series
                    .iter()
                    .map(|s| view! { <li><span class=format!("swatch {}", s.class)></span>{s.name.clone()}</li> })
                    .collect_view()}
            </ul>
        }
    });
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <figure class="chart">
            <svg
                role="img"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                aria-labelledby=labelled_by
                preserveAspectRatio="xMidYMid meet"
            >
                <title id=title_id>{chart.title.clone()}</title>
                <desc id=desc_id>{chart.desc.clone()}</desc>
                <g class="grid-lines">{grid}</g>
                <g class="bars">{bars}</g>
                <line class="axis" x1=num(LEFT) x2=num(WIDTH - RIGHT) y1=num(TOP + plot_h) y2=num(TOP + plot_h) />
                <line class="axis" x1=num(LEFT) x2=num(LEFT) y1=num(TOP) y2=num(TOP + plot_h) />
                <g class="labels">{labels}</g>
                <text class="axis-label" x=num(LEFT + plot_w / 2.0) y=num(HEIGHT - 8.0) text-anchor="middle">
                    {chart.x_label.clone()}
                </text>
                <text
                    class="axis-label"
                    x="14"
                    y=num(TOP + plot_h / 2.0)
                    text-anchor="middle"
                    transform=format!("rotate(-90 14 {})", num(TOP + plot_h / 2.0))
                >
                    {chart.y_label.clone()}
                </text>
            </svg>
            {legend}
            <figcaption>{chart.title}</figcaption>
            <details>
                <summary>{format!("The numbers: {}", table.title)}</summary>
                <DataTable table query caption=true />
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

    #[test]
    fn scales_round_up_to_nice_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(3.0), 5.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(11.0), 20.0);
        assert_eq!(nice_ceiling(2_740.0), 5_000.0);
    }
}
