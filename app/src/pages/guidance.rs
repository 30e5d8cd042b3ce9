//! `/guidance` (agents and managers): the self-service articles developers are shown
//! for client errors. List them, preview which one a sample error gets (the intake's
//! own choice, computed on the server), create, edit (every save is a version, kept
//! with who, when and a diff), retire and restore.

use crate::{
    api::guidance::{
        get_guidance, list_guidance, new_guidance_form, preview_guidance, ArticleDetail,
        ArticleSummary, ArticleVersion, RetireGuidance, SaveGuidance,
    },
    components::forms::{action_error, textarea_text, FieldError, FormError},
    error::AppError,
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::HashMap;

const FIELDS: &[&str] = &[
    "slug",
    "title",
    "summary",
    "checks",
    "call_again",
    "retry_same_request",
    "codes",
    "pattern_kind",
    "pattern",
    "version",
];

/// The list of articles with the preview.
#[component]
pub fn GuidancePage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_guidance());
    view! {
        <Title text="Guidance" />
        <section class="panel">
            <h1>"Guidance articles"</h1>
            <p class="lead">
                "What developers read when their call fails with a client error (4xx). The most "
                "specific article wins: listed codes whose message pattern matches, then listed "
                "codes without a pattern, then a 4xx article whose pattern matches, then a 4xx article without one. "
                "Every save is kept as a version; a report keeps the version it showed."
            </p>
            <p><a class="button primary" href="/guidance/new">"New article"</a></p>
            <Preview />
        </section>
        <section class="panel" aria-labelledby="articles-title">
            <h2 id="articles-title">"Articles"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) => view! { <ArticleTable list=l /> }.into_any(),
                        Err(e) => failure_view(e, "/guidance", "edit guidance"),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Which article a sample error gets: live as the fields change, or by submitting
/// the form (without JavaScript the page renders the answer from its query).
#[component]
fn Preview() -> impl IntoView {
    let query = use_query_map();
    let initial = |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let status = RwSignal::new(initial("status"));
    let message = RwSignal::new(initial("message"));
    let preview = Resource::new(
        move || (status.get(), message.get()),
        |(s, m)| preview_guidance(s, m),
    );
    view! {
        <h2 id="preview-title">"Preview"</h2>
        <form method="get" action="/guidance" class="row" aria-labelledby="preview-title">
            <div class="col">
                <label for="preview-status">"Status code"</label>
                <input id="preview-status" name="status" type="text" inputmode="numeric"
                    maxlength="3" size="4" placeholder="401" prop:value=status
                    on:input=move |ev| status.set(event_target_value(&ev)) />
            </div>
            <div class="col grow">
                <label for="preview-message">"The response's message"</label>
                <input id="preview-message" name="message" type="text" maxlength="2000"
                    placeholder="Token has expired" prop:value=message
                    on:input=move |ev| message.set(event_target_value(&ev)) />
            </div>
            <div class="col"><button type="submit">"Preview"</button></div>
        </form>
        <div class="preview" aria-live="polite" data-testid="guidance-preview">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(Some(p)) => {
                            let href = format!("/guidance/{}", p.slug);
                            let pattern = if p.pattern.is_empty() { "any message".to_owned() } else { p.pattern };
                            view! {
                                <p>
                                    "Shown: " <a href=href>{p.title}</a>
                                    <span class="hint">{format!(" ({}, version {}; codes {}, {pattern})", p.slug, p.version, p.codes)}</span>
                                </p>
                            }.into_any()
                        }
                        Ok(None) if status.get_untracked().trim().is_empty() => view! {
                            <p class="hint">"Type a status code (and a message) to see which article a developer would get."</p>
                        }.into_any(),
                        Ok(None) => view! { <p>"No live article matches: the developer would see no guidance."</p> }.into_any(),
                        Err(e) => view! { <p class="field-error" role="alert">{e.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn ArticleTable(list: Vec<ArticleSummary>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No articles yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll"><table class="list guidance">
            <thead>
                <tr>
                    <th scope="col">"Article"</th>
                    <th scope="col">"Codes"</th>
                    <th scope="col">"Message pattern"</th>
                    <th scope="col">"Version"</th>
                    <th scope="col">"Saved"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|a| {
                    let href = format!("/guidance/{}", a.slug);
                    let marker = a.slug.clone();
                    let pattern = match (a.pattern.is_empty(), a.pattern_kind.as_str()) {
                        (true, _) => "any message".to_owned(),
                        (false, "regex") => format!("regex: {}", a.pattern),
                        (false, _) => a.pattern,
                    };
                    view! {
                        <tr class:retired=a.retired data-article=marker>
                            <td>
                                <a href=href>{a.title}</a>
                                <br /><code>{a.slug}</code>
                                {a.retired.then(|| view! { " " <span class="badge">"retired"</span> })}
                            </td>
                            <td>{a.codes}</td>
                            <td><code>{pattern}</code></td>
                            <td class="num">{a.version}</td>
                            <td>{saved(&a.by, &a.updated_local)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// "who, when" of a save ("installation" alone for the starting catalogue).
fn saved(by: &str, at_local: &str) -> String {
    if at_local.is_empty() {
        by.to_owned()
    } else {
        format!("{by}, {at_local}")
    }
}

/// `/guidance/new`: a new article.
#[component]
pub fn NewArticlePage() -> impl IntoView {
    let save = ServerAction::<SaveGuidance>::new();
    let error = action_error(save);
    let kept = Resource::new(|| (), |_| new_guidance_form());
    view! {
        <Title text="New guidance article" />
        <section class="panel">
            <p><a href="/guidance">"← All articles"</a></p>
            <h1>"New guidance article"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match kept.await {
                        Ok(kept) => view! {
                            <ActionForm action=save attr:aria-label="New article">
                                <FormError error fields=FIELDS />
                                <input type="hidden" name="create" value="yes" />
                                <ArticleFields current=None kept error />
                                <button type="submit" class="primary">"Create article"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => failure_view(e, "/guidance/new", "edit guidance"),
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/guidance/:slug`: edit an article, retire or restore it, read its versions.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let save = ServerAction::<SaveGuidance>::new();
    let retire = ServerAction::<RetireGuidance>::new();
    // Reloaded after a successful save (a refused one keeps what was typed in the form)
    // and after any retire or restore.
    let detail = Resource::new(
        move || {
            (
                slug(),
                save.value().get().and_then(Result::ok),
                retire.version().get(),
            )
        },
        |(s, _, _)| get_guidance(s),
    );
    let error = action_error(save);
    let retire_error = action_error(retire);
    let saved = move || save.value().get().and_then(Result::ok);
    view! {
        <Title text="Guidance article" />
        <Transition fallback=|| view! { <section class="panel"><p>"Loading…"</p></section> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(a) => view! { <Article a save retire error retire_error saved=Signal::derive(saved) /> }.into_any(),
                    Err(e) => failure_view(e, "/guidance", "edit guidance"),
                }
            })}
        </Transition>
    }
}

#[component]
fn Article(
    a: ArticleDetail,
    save: ServerAction<SaveGuidance>,
    retire: ServerAction<RetireGuidance>,
    error: Signal<Option<AppError>>,
    retire_error: Signal<Option<AppError>>,
    saved: Signal<Option<i64>>,
) -> impl IntoView {
    let version = a.version.to_string();
    let (retire_slug, retire_version) = (a.slug.clone(), a.version.to_string());
    let heading = a.title.clone();
    let status = if a.retired {
        format!("Version {}, retired: it matches no report.", a.version)
    } else {
        format!("Version {}, live.", a.version)
    };
    let versions = a.versions.clone();
    let retired = a.retired;
    let kept = a.kept.clone();
    let marker = a.slug.clone();
    view! {
        <section class="panel" data-article=marker>
            <p><a href="/guidance">"← All articles"</a></p>
            <h1>{heading}</h1>
            <p class="hint" data-testid="article-version">{status}</p>
            <Show when=move || saved.get().is_some()>
                <p class="ok" role="status">{move || format!("Saved: version {} is live.", saved.get().unwrap_or_default())}</p>
            </Show>
            <ActionForm action=save attr:aria-label="Edit article">
                <FormError error fields=FIELDS />
                <FieldError error field="version" />
                <input type="hidden" name="version" value=version />
                <ArticleFields current=Some(a) kept error />
                <button type="submit" class="primary">"Save as a new version"</button>
            </ActionForm>
            <ActionForm action=retire attr:class="inline">
                <FormError error=retire_error fields=&[] />
                <input type="hidden" name="slug" value=retire_slug />
                <input type="hidden" name="version" value=retire_version />
                <input type="hidden" name="retired" value=if retired { "no" } else { "yes" } />
                <button type="submit">{if retired { "Restore this article" } else { "Retire this article" }}</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="versions-title">
            <h2 id="versions-title">"Versions"</h2>
            <ol class="versions">
                {versions.into_iter().map(|v| view! { <Version v /> }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Version(v: ArticleVersion) -> impl IntoView {
    let first = v.version == 1;
    view! {
        <li id=format!("version-{}", v.version) data-version=v.version>
            <p><strong>{format!("Version {}", v.version)}</strong>{format!(" — {}", saved(&v.by, &v.at_local))}</p>
            {first.then(|| view! { <p class="hint">"The first version."</p> })}
            {(!first && v.changes.is_empty()).then(|| view! { <p class="hint">"No change to the text."</p> })}
            {v.changes.into_iter().map(|c| view! {
                <div class="change">
                    <h3>{c.label}</h3>
                    <pre class="diff">
                        {c.lines.into_iter().map(|l| {
                            let class = match l.tag { '+' => "add", '-' => "del", _ => "same" };
                            view! { <span class=class>{format!("{} {}\n", l.tag, l.text)}</span> }
                        }).collect_view()}
                    </pre>
                </div>
            }).collect_view()}
        </li>
    }
}

/// The article's fields; on a refused post without JavaScript, what was typed.
#[component]
fn ArticleFields(
    current: Option<ArticleDetail>,
    kept: HashMap<String, String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let value = |f: &str, now: Option<String>| {
        kept.get(&format!("article[{f}]"))
            .cloned()
            .or(now)
            .unwrap_or_default()
    };
    let c = current.as_ref();
    let slug = value("slug", c.map(|a| a.slug.clone()));
    let title = value("title", c.map(|a| a.title.clone()));
    let summary = value("summary", c.map(|a| a.summary.clone()));
    let checks = value("checks", c.map(|a| a.checks.clone()));
    let call_again = value("call_again", c.map(|a| a.call_again.clone()));
    let retry = value(
        "retry_same_request",
        c.map(|a| if a.retry_same_request { "yes" } else { "no" }.to_owned()),
    );
    let codes = value("codes", c.map(|a| a.codes.clone()));
    let kind = value("pattern_kind", c.map(|a| a.pattern_kind.clone()));
    let pattern = value("pattern", c.map(|a| a.pattern.clone()));
    let regex = kind == "regex";
    let yes = retry == "yes";
    view! {
        {match current {
            Some(_) => view! {
                <input type="hidden" name="article[slug]" value=slug.clone() />
                <p>"Slug: " <code>{slug}</code></p>
            }.into_any(),
            None => view! {
                <label for="article-slug">"Slug " <span class="optional">"(lowercase words joined by “-”; it never changes)"</span></label>
                <input id="article-slug" name="article[slug]" type="text" maxlength="64" required value=slug
                    aria-describedby="slug-error" />
                <FieldError error field="slug" />
            }.into_any(),
        }}
        <label for="article-title">"Title"</label>
        <input id="article-title" name="article[title]" type="text" maxlength="200" required value=title
            aria-describedby="title-error" />
        <FieldError error field="title" />
        <label for="article-summary">"What the error means"</label>
        <textarea id="article-summary" name="article[summary]" rows="3" maxlength="2000" required
            aria-describedby="summary-error" inner_html=textarea_text(&summary)></textarea>
        <FieldError error field="summary" />
        <label for="article-checks">"What to check " <span class="optional">"(one per line)"</span></label>
        <textarea id="article-checks" name="article[checks]" rows="5" maxlength="4000" required
            aria-describedby="checks-error" inner_html=textarea_text(&checks)></textarea>
        <FieldError error field="checks" />
        <label for="article-call-again">"How to call again"</label>
        <textarea id="article-call-again" name="article[call_again]" rows="2" maxlength="2000" required
            aria-describedby="call_again-error" inner_html=textarea_text(&call_again)></textarea>
        <FieldError error field="call_again" />
        <label for="article-retry">"Is retrying the same request right (after waiting)?"</label>
        <select id="article-retry" name="article[retry_same_request]" aria-describedby="retry_same_request-error">
            <option value="no" selected=!yes>"No: the request must change first"</option>
            <option value="yes" selected=yes>"Yes (e.g. rate limits)"</option>
        </select>
        <FieldError error field="retry_same_request" />
        <fieldset>
            <legend>"When it is shown"</legend>
            <label for="article-codes">"Status codes " <span class="optional">"(e.g. 401, 406,415, 400-409 or 4xx for any client error)"</span></label>
            <input id="article-codes" name="article[codes]" type="text" maxlength="200" required value=codes
                aria-describedby="codes-error" />
            <FieldError error field="codes" />
            <label for="article-pattern-kind">"Message pattern is"</label>
            <select id="article-pattern-kind" name="article[pattern_kind]" aria-describedby="pattern_kind-error">
                <option value="words" selected=!regex>"Words (case-insensitive)"</option>
                <option value="regex" selected=regex>"A regular expression (case-insensitive)"</option>
            </select>
            <FieldError error field="pattern_kind" />
            <label for="article-pattern">"Message pattern " <span class="optional">"(empty: any message)"</span></label>
            <input id="article-pattern" name="article[pattern]" type="text" maxlength="500" value=pattern
                aria-describedby="pattern-error pattern-hint" />
            <p class="hint" id="pattern-hint">
                "Words: alternatives separated by |, words that must all appear joined by + "
                "(each matches at the start of a word: expir matches expired). "
                "A regular expression matches anywhere in the message."
            </p>
            <FieldError error field="pattern" />
        </fieldset>
    }
}
