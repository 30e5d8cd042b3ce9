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

/// A table of a report with its CSV link. Cells of the first column link where the
/// table says so. With `caption`, the title is shown as the table's caption; otherwise
/// it is only there for screen readers (the section heading shows it).
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
    let links = table.links.clone();
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let link = links.get(i).cloned().flatten();
            let cells = row
                .iter()
                .enumerate()
                .map(|(j, cell)| match (j, &link) {
                    (0, Some(href)) => {
                        view! { <th scope="row"><a href=href.clone()>{cell.clone()}</a></th> }
                            .into_any()
                    }
                    (0, None) => view! { <th scope="row">{cell.clone()}</th> }.into_any(),
                    _ => view! { <td>{cell.clone()}</td> }.into_any(),
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        // Scrolls sideways on a narrow screen; focusable so that keyboard users can.
        <div class="table-scroll" tabindex="0" role="region" aria-label=table.title.clone()>
            <table class="list report" data-table=table.id.slug()>
                <caption class=if caption { "" } else { "visually-hidden" }>{table.title.clone()}</caption>
                <thead>
                    <tr>
                        {table
                            .columns
                            .iter()
                            .map(|c| view! { <th scope="col">{c.clone()}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"Nothing in this range."</p> })}
        </div>
        <p class="table-actions"><CsvLink table query /></p>
    }
}
