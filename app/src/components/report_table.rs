//! A report table as the page shows it, with the link that downloads it as CSV (the
//! same [`Table`], so the file holds exactly what is on the screen).

use crate::api::manager::Table;
use leptos::prelude::*;

/// The CSV link of a table; `query` is `from=…&to=…`.
#[component]
pub fn CsvLink(
    /// The table.
    table: Table,
    /// The report's range as a query string.
    query: String,
) -> impl IntoView {
    let href = format!("{}?{query}", table.id.csv_path());
    view! {
        <a class="csv" href=href download>
            "Download CSV"
            <span class="visually-hidden">{format!(" of {}", table.title)}</span>
        </a>
    }
}

/// How two cells compare: as numbers when both read as one ("1,234", "33.3", "—" last),
/// else as text.
fn compare_cells(a: &str, b: &str) -> std::cmp::Ordering {
    let number = |s: &str| {
        s.replace(',', "")
            .trim_end_matches('%')
            .trim()
            .parse::<f64>()
            .ok()
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

/// A table of a report with its CSV link. Cells of the first column link where the
/// table says so. With `caption`, the title is shown as the table's caption; otherwise
/// it is only there for screen readers (the section heading shows it). Once the page is
/// interactive, a column's header sorts the rows by it (again: the other way round);
/// the rows first come in the report's own order, which the CSV keeps.
#[component]
pub fn DataTable(
    /// The table.
    table: Table,
    /// The report's range as a query string.
    query: String,
    /// Whether to show the title above the table.
    #[prop(optional)]
    caption: bool,
) -> impl IntoView {
    let empty = table.rows.is_empty();
    // (column, descending)
    let sort = RwSignal::new(None::<(usize, bool)>);
    let rows_data = StoredValue::new(
        table
            .rows
            .iter()
            .cloned()
            .zip(table.links.iter().cloned().chain(std::iter::repeat(None)))
            .collect::<Vec<_>>(),
    );
    let rows = move || {
        let mut list = rows_data.get_value();
        if let Some((col, desc)) = sort.get() {
            list.sort_by(|(a, _), (b, _)| {
                let o = compare_cells(
                    a.get(col).map_or("", String::as_str),
                    b.get(col).map_or("", String::as_str),
                );
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        list.into_iter()
            .map(|(row, link)| {
                let cells = row
                    .into_iter()
                    .enumerate()
                    .map(|(j, cell)| match (j, &link) {
                        (0, Some(href)) => {
                            view! { <th scope="row"><a href=href.clone()>{cell}</a></th> }
                                .into_any()
                        }
                        (0, None) => view! { <th scope="row">{cell}</th> }.into_any(),
                        _ => view! { <td>{cell}</td> }.into_any(),
                    })
                    .collect_view();
                view! { <tr>{cells}</tr> }
            })
            .collect_view()
    };
    let headers = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let aria = move || match sort.get() {
                Some((col, true)) if col == i => "descending",
                Some((col, false)) if col == i => "ascending",
                _ => "none",
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button type="button" class="sort" on:click=move |_| {
                        // Numbers are most interesting biggest first; text A to Z.
                        sort.update(|s| {
                            *s = match *s {
                                Some((col, desc)) if col == i => Some((i, !desc)),
                                _ => Some((i, i > 0)),
                            }
                        })
                    }>{c.clone()}</button>
                </th>
            }
        })
        .collect_view();
    view! {
        // Scrolls sideways on a narrow screen; focusable so that keyboard users can.
        <div class="table-scroll" tabindex="0" role="region" aria-label=table.title.clone()>
            <table class="list report" data-table=table.id.slug()>
                <caption class=if caption { "" } else { "visually-hidden" }>{table.title.clone()}</caption>
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"Nothing in this range."</p> })}
        </div>
        <p class="table-actions"><CsvLink table query /></p>
    }
}
