//! `/canned` (agents): the team's saved replies. Placeholders take the ticket's fields
//! when a reply is inserted on a ticket page, where it can be edited before sending.

use crate::{
    api::canned::{list_canned_replies, CannedView, DeleteCannedReply, SaveCannedReply},
    components::forms::{action_error, textarea_text, FieldError, FormError},
    domain::canned::PLACEHOLDERS,
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The saved replies page.
#[component]
pub fn CannedPage() -> impl IntoView {
    let save = ServerAction::<SaveCannedReply>::new();
    let delete = ServerAction::<DeleteCannedReply>::new();
    let list = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_canned_replies(),
    );
    let error = action_error(save);
    let delete_error = action_error(delete);
    view! {
        <Title text="Saved replies" />
        <section class="panel">
            <h1>"Saved replies"</h1>
            <p class="lead">
                "Answers the team gives again and again. On a ticket, pick one under “Saved reply”: "
                "it goes into the reply box with the ticket's details filled in, for you to edit before sending."
            </p>
            <dl class="placeholders">
                {PLACEHOLDERS.iter().map(|(p, what)| view! { <dt><code>{*p}</code></dt><dd>{*what}</dd> }).collect_view()}
            </dl>
            <h2 id="new-canned">"New saved reply"</h2>
            <ActionForm action=save attr:aria-labelledby="new-canned">
                <FormError error fields=&["title", "body"] />
                <label for="canned-title">"Title"</label>
                <input id="canned-title" name="title" type="text" maxlength="100" required
                    aria-describedby="title-error" />
                <FieldError error field="title" />
                <label for="canned-body">"Text"</label>
                <textarea id="canned-body" name="body" rows="5" maxlength="10000" required
                    aria-describedby="body-error"></textarea>
                <FieldError error field="body" />
                <button type="submit" class="primary">"Save reply"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="canned-list">
            <h2 id="canned-list">"The team's replies"</h2>
            <FormError error=delete_error fields=&[] />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) if l.is_empty() => view! { <p class="empty">"No saved replies yet."</p> }.into_any(),
                        Ok(l) => l.into_iter().map(|c| view! { <Canned c save delete /> }).collect_view().into_any(),
                        Err(e) => failure_view(e, "/canned", "use saved replies"),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Canned(
    c: CannedView,
    save: ServerAction<SaveCannedReply>,
    delete: ServerAction<DeleteCannedReply>,
) -> impl IntoView {
    let (title_id, body_id) = (format!("title-{}", c.id), format!("body-{}", c.id));
    let (save_id, delete_id) = (c.id.to_string(), c.id.to_string());
    let (save_name, delete_name) = (format!(" to {}", c.title), format!(" {}", c.title));
    let saved = format!("Saved by {}, {}.", c.by, c.updated_local);
    let (marker, title, body) = (c.title.clone(), c.title, c.body);
    view! {
        <article class="canned" data-canned=marker>
            <ActionForm action=save>
                <input type="hidden" name="id" value=save_id />
                <label for=title_id.clone()>"Title"</label>
                <input id=title_id name="title" type="text" maxlength="100" required value=title />
                <label for=body_id.clone()>"Text"</label>
                <textarea id=body_id name="body" rows="4" maxlength="10000" required inner_html=textarea_text(&body)></textarea>
                <p class="hint">{saved}</p>
                <button type="submit">"Save changes"<span class="visually-hidden">{save_name}</span></button>
            </ActionForm>
            <ActionForm action=delete attr:class="inline">
                <input type="hidden" name="id" value=delete_id />
                <button type="submit" class="link">"Delete"<span class="visually-hidden">{delete_name}</span></button>
            </ActionForm>
        </article>
    }
}
