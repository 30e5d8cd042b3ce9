//! `/settings/calendar`: the support calendar (managers). Changes apply to tickets
//! created afterwards; existing due times never move.

use crate::{
    api::settings::{get_calendar, AddHoliday, CalendarView, RemoveHoliday, SaveCalendar},
    components::forms::{action_error, FieldError, FormError},
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The calendar settings page.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let save = ServerAction::<SaveCalendar>::new();
    let add = ServerAction::<AddHoliday>::new();
    let remove = ServerAction::<RemoveHoliday>::new();
    let calendar = Resource::new(
        move || {
            (
                save.version().get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |_| get_calendar(),
    );
    view! {
        <Title text="Support calendar" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match calendar.await {
                    Ok(c) => view! { <Calendar c save add remove /> }.into_any(),
                    Err(e) => failure_view(e, "/settings/calendar", "edit the support calendar"),
                }
            })}
        </Transition>
    }
}

#[component]
fn Calendar(
    c: CalendarView,
    save: ServerAction<SaveCalendar>,
    add: ServerAction<AddHoliday>,
    remove: ServerAction<RemoveHoliday>,
) -> impl IntoView {
    let save_error = action_error(save);
    let add_error = action_error(add);
    let remove_error = action_error(remove);
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let hours = c.standard_day_minutes as f64 / 60.0;
    view! {
        <section class="panel">
            <h1>"Support calendar"</h1>
            <p class="lead">
                "One standard business day is now "
                <strong>{format!("{hours} business hours")}</strong>
                " (the unit of the " <a href="/settings/sla">"SLA policy"</a>
                "'s targets). Changes apply to tickets created afterwards; existing due times do not move."
            </p>
            <ActionForm action=save>
                <FormError error=save_error fields=&["timezone"] />
                <label for="timezone">"Support timezone (IANA)"</label>
                <input id="timezone" name="timezone" type="text" value=c.timezone.clone() aria-describedby="timezone-error" />
                <FieldError error=save_error field="timezone" />
                <div class="table-scroll"><table class="list hours">
                    <caption>"Weekly hours (leave both empty for a closed day)"</caption>
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Opens"</th><th scope="col">"Closes"</th></tr></thead>
                    <tbody>
                        {c.days.iter().enumerate().map(|(i, d)| view! {
                            <tr>
                                <th scope="row">{d.weekday.clone()}</th>
                                <td><input type="time" name=format!("open[{i}]") value=d.open.clone()
                                    aria-label=format!("{} opens", d.weekday) /></td>
                                <td><input type="time" name=format!("close[{i}]") value=d.close.clone()
                                    aria-label=format!("{} closes", d.weekday) /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
                <button type="submit" class="primary">"Save hours"</button>
                <Show when=saved><p class="ok" role="status">"Saved."</p></Show>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="holidays-title">
            <h2 id="holidays-title">"Holidays"</h2>
            <p class="hint">"Dates in the support timezone; the desk is closed all day."</p>
            <FormError error=remove_error fields=&[] />
            <ul class="holidays">
                {c.holidays.into_iter().map(|h| view! {
                    <li>
                        <span class="mono">{h.day.clone()}</span> " " {h.name.clone()}
                        <ActionForm action=remove attr:class="inline">
                            <input type="hidden" name="day" value=h.day.clone() />
                            <button type="submit" class="link" aria-label=format!("Remove {}", h.name)>"Remove"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=add attr:class="row">
                <FormError error=add_error fields=&["day", "name"] />
                <div class="col">
                    <label for="holiday-day">"Date"</label>
                    <input id="holiday-day" name="day" type="date" aria-describedby="day-error" />
                    <FieldError error=add_error field="day" />
                </div>
                <div class="col">
                    <label for="holiday-name">"Name"</label>
                    <input id="holiday-name" name="name" type="text" maxlength="100" aria-describedby="name-error" />
                    <FieldError error=add_error field="name" />
                </div>
                <div class="col"><button type="submit">"Add holiday"</button></div>
            </ActionForm>
        </section>
    }
}
