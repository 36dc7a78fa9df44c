//! What a notice says: the sender's or the service's texts, else a generic template, with the
//! tokens filled in, in the message's language. A notice never carries the message body; a
//! confidential message's notice says only that it is confidential and which access opens it.

use askama::Template;

use crate::domain::Language;

/// The facts a notice may mention (and nothing else).
pub struct Facts<'a> {
    pub language: Language,
    pub reminder: bool,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub service: &'a str,
    pub title: &'a str,
    /// For confidential messages: the access that must be delegated to open it.
    pub confidential_access: Option<&'a str>,
    /// The recipient is a person: her confidential mail is hers to open, no grant needed.
    pub to_person: bool,
    /// The sender's or service's own texts for this kind and language, where given.
    pub email_subject: Option<&'a str>,
    pub email_body: Option<&'a str>,
    pub sms_text: Option<&'a str>,
    /// Where the recipient reads the message.
    pub link: &'a str,
}

/// A rendered e-mail: subject, plain text and HTML.
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct Generic {
    subject: &'static str,
    body: &'static str,
    sms: &'static str,
}

fn generic(language: Language, reminder: bool) -> Generic {
    match (language, reminder) {
        (Language::Nb, false) => Generic {
            subject: "Du har fått en melding fra $sendersName$",
            body: "Hei, $correspondenceRecipientName$.\n\n$sendersName$ har sendt en melding i tjenesten «$resourceName$». Logg inn i innboksen for å lese den.",
            sms: "Du har fått en melding fra $sendersName$. Logg inn i innboksen for å lese den.",
        },
        (Language::Nb, true) => Generic {
            subject: "Påminnelse: uåpnet melding fra $sendersName$",
            body: "Hei, $correspondenceRecipientName$.\n\nEn melding fra $sendersName$ i tjenesten «$resourceName$» er ikke åpnet ennå. Logg inn i innboksen for å lese den.",
            sms: "Påminnelse: en melding fra $sendersName$ er ikke åpnet ennå. Logg inn i innboksen for å lese den.",
        },
        (Language::Nn, false) => Generic {
            subject: "Du har fått ei melding frå $sendersName$",
            body: "Hei, $correspondenceRecipientName$.\n\n$sendersName$ har sendt ei melding i tenesta «$resourceName$». Logg inn i innboksen for å lese henne.",
            sms: "Du har fått ei melding frå $sendersName$. Logg inn i innboksen for å lese henne.",
        },
        (Language::Nn, true) => Generic {
            subject: "Påminning: uopna melding frå $sendersName$",
            body: "Hei, $correspondenceRecipientName$.\n\nEi melding frå $sendersName$ i tenesta «$resourceName$» er ikkje opna enno. Logg inn i innboksen for å lese henne.",
            sms: "Påminning: ei melding frå $sendersName$ er ikkje opna enno. Logg inn i innboksen for å lese henne.",
        },
        (Language::En, false) => Generic {
            subject: "You have a message from $sendersName$",
            body: "Hello, $correspondenceRecipientName$.\n\n$sendersName$ has sent a message in the service “$resourceName$”. Log in to your inbox to read it.",
            sms: "You have a message from $sendersName$. Log in to your inbox to read it.",
        },
        (Language::En, true) => Generic {
            subject: "Reminder: unopened message from $sendersName$",
            body: "Hello, $correspondenceRecipientName$.\n\nA message from $sendersName$ in the service “$resourceName$” has not been opened yet. Log in to your inbox to read it.",
            sms: "Reminder: a message from $sendersName$ has not been opened yet. Log in to your inbox to read it.",
        },
    }
}

/// The subject of a confidential notice: no title, the sender, whether it is a reminder.
fn confidential_subject(language: Language, reminder: bool) -> &'static str {
    match (language, reminder) {
        (Language::Nb, true) => "Påminnelse: uåpnet taushetsbelagt melding fra $sendersName$",
        (Language::Nb, false) => "Taushetsbelagt melding fra $sendersName$",
        (Language::Nn, true) => "Påminning: uopna teiepliktig melding frå $sendersName$",
        (Language::Nn, false) => "Teiepliktig melding frå $sendersName$",
        (Language::En, true) => "Reminder: unopened confidential message from $sendersName$",
        (Language::En, false) => "Confidential message from $sendersName$",
    }
}

/// The fixed notice of a confidential message to a person: no title, no sender texts; she
/// opens it herself.
fn confidential_to_person(language: Language, reminder: bool) -> Generic {
    match (language, reminder) {
        (Language::Nb, r) => Generic {
            subject: confidential_subject(Language::Nb, r),
            body: "Hei, $correspondenceRecipientName$.\n\n$sendersName$ har sendt deg en taushetsbelagt melding i tjenesten «$resourceName$». Logg inn i innboksen for å lese den.",
            sms: "Du har fått en taushetsbelagt melding fra $sendersName$. Logg inn i innboksen for å lese den.",
        },
        (Language::Nn, r) => Generic {
            subject: confidential_subject(Language::Nn, r),
            body: "Hei, $correspondenceRecipientName$.\n\n$sendersName$ har sendt deg ei teiepliktig melding i tenesta «$resourceName$». Logg inn i innboksen for å lese henne.",
            sms: "Du har fått ei teiepliktig melding frå $sendersName$. Logg inn i innboksen for å lese henne.",
        },
        (Language::En, r) => Generic {
            subject: confidential_subject(Language::En, r),
            body: "Hello, $correspondenceRecipientName$.\n\n$sendersName$ has sent you a confidential message in the service “$resourceName$”. Log in to your inbox to read it.",
            sms: "You have a confidential message from $sendersName$. Log in to your inbox to read it.",
        },
    }
}

/// The fixed notice of a confidential message: no title, no sender texts, the access it needs.
fn confidential(language: Language, reminder: bool) -> Generic {
    match (language, reminder) {
        (Language::Nb, r) => Generic {
            subject: confidential_subject(Language::Nb, r),
            body: "$sendersName$ har sendt en taushetsbelagt melding til $correspondenceRecipientName$ i tjenesten «$resourceName$».\n\nFor å åpne den må en person ha tilgangen «$access$». Hovedadministratoren for $correspondenceRecipientName$ kan gi den.",
            sms: "Taushetsbelagt melding fra $sendersName$ til $correspondenceRecipientName$. Den kan bare åpnes med tilgangen «$access$».",
        },
        (Language::Nn, r) => Generic {
            subject: confidential_subject(Language::Nn, r),
            body: "$sendersName$ har sendt ei teiepliktig melding til $correspondenceRecipientName$ i tenesta «$resourceName$».\n\nFor å opne henne må ein person ha tilgangen «$access$». Hovudadministratoren for $correspondenceRecipientName$ kan gi han.",
            sms: "Teiepliktig melding frå $sendersName$ til $correspondenceRecipientName$. Ho kan berre opnast med tilgangen «$access$».",
        },
        (Language::En, r) => Generic {
            subject: confidential_subject(Language::En, r),
            body: "$sendersName$ has sent a confidential message to $correspondenceRecipientName$ in the service “$resourceName$”.\n\nOnly a person with the access “$access$” can open it. The main administrator of $correspondenceRecipientName$ can grant it.",
            sms: "Confidential message from $sendersName$ to $correspondenceRecipientName$. It can only be opened with the access “$access$”.",
        },
    }
}

/// The confidential notice for the recipient: a person's own, or an organisation's (naming
/// the access someone must be given).
fn confidential_notice(facts: &Facts<'_>) -> Generic {
    if facts.to_person {
        confidential_to_person(facts.language, facts.reminder)
    } else {
        confidential(facts.language, facts.reminder)
    }
}

fn fill(template: &str, facts: &Facts<'_>) -> String {
    let mut out = template
        .replace("$sendersName$", facts.sender)
        .replace("$correspondenceRecipientName$", facts.recipient)
        .replace("$resourceName$", facts.service)
        .replace("$access$", facts.confidential_access.unwrap_or_default());
    // A confidential notice never names the message.
    let title = if facts.confidential_access.is_some() {
        ""
    } else {
        facts.title
    };
    out = out.replace("$messageTitle$", title);
    out
}

fn nonempty(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.trim().is_empty())
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct NoticeHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: Vec<&'a str>,
    link: &'a str,
    link_text: &'a str,
}

fn link_text(language: Language) -> &'static str {
    match language {
        Language::Nb => "Åpne innboksen",
        Language::Nn => "Opne innboksen",
        Language::En => "Open your inbox",
    }
}

/// The e-mail for these facts.
pub fn email(facts: &Facts<'_>) -> Email {
    let (subject, body) = if facts.confidential_access.is_some() {
        let t = confidential_notice(facts);
        (t.subject.to_owned(), t.body.to_owned())
    } else {
        let t = generic(facts.language, facts.reminder);
        (
            nonempty(facts.email_subject)
                .unwrap_or(t.subject)
                .to_owned(),
            nonempty(facts.email_body).unwrap_or(t.body).to_owned(),
        )
    };
    // Subjects are one line, whatever the template said.
    let subject = fill(&subject, facts).replace(['\r', '\n'], " ");
    let body = fill(&body, facts);
    let text = format!("{body}\n\n{}: {}\n", link_text(facts.language), facts.link);
    let html = NoticeHtml {
        lang: facts.language.html_lang(),
        subject: &subject,
        paragraphs: body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect(),
        link: facts.link,
        link_text: link_text(facts.language),
    }
    .render()
    .unwrap_or_else(|_| format!("<p>{}</p>", html_escape(&text)));
    Email {
        subject,
        text,
        html,
    }
}

/// Text made safe inside HTML (for the reports' simple HTML part, and a fallback here).
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The SMS for these facts.
pub fn sms(facts: &Facts<'_>) -> String {
    let template = if facts.confidential_access.is_some() {
        confidential_notice(facts).sms
    } else {
        nonempty(facts.sms_text).unwrap_or(generic(facts.language, facts.reminder).sms)
    };
    fill(template, facts)
}

/// Characters of the GSM 03.38 basic alphabet (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Characters of the GSM extension table (two septets each: escape + character).
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// How many SMS segments `text` takes: GSM-7 (160, or 153 per part when split) when every
/// character is in the GSM alphabet, else UCS-2 (70, or 67 per part, counted in UTF-16 units).
pub fn sms_segments(text: &str) -> u16 {
    let mut septets = 0usize;
    let mut gsm = true;
    for c in text.chars() {
        if GSM_BASIC.contains(c) {
            septets += 1;
        } else if GSM_EXTENDED.contains(c) {
            septets += 2;
        } else {
            gsm = false;
            break;
        }
    }
    let (units, single, part) = if gsm {
        (septets, 160, 153)
    } else {
        (text.encode_utf16().count(), 70, 67)
    };
    let segments = if units <= single {
        1
    } else {
        units.div_ceil(part)
    };
    u16::try_from(segments).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(language: Language) -> Facts<'static> {
        Facts {
            language,
            reminder: false,
            sender: "Skatteetaten",
            recipient: "Ola Nordmann",
            service: "Skattemelding",
            title: "Din skattemelding for 2025",
            confidential_access: None,
            to_person: false,
            email_subject: Some("Ny melding: $messageTitle$"),
            email_body: None,
            sms_text: Some(" "),
            link: "https://melding.example/inbox",
        }
    }

    #[test]
    fn tokens_are_filled_and_blank_texts_fall_back_to_the_template() {
        let mail = email(&facts(Language::Nb));
        assert_eq!(mail.subject, "Ny melding: Din skattemelding for 2025");
        assert!(mail.text.starts_with("Hei, Ola Nordmann."));
        assert!(mail.text.contains("«Skattemelding»"));
        assert!(mail.html.contains("lang=\"nb\""));
        assert!(mail.html.contains("href=\"https://melding.example/inbox\""));
        assert_eq!(
            sms(&facts(Language::En)),
            "You have a message from Skatteetaten. Log in to your inbox to read it."
        );
    }

    #[test]
    fn a_confidential_notice_names_the_access_and_never_the_title() {
        let mut f = facts(Language::Nn);
        f.confidential_access = Some("Post til virksomheten med taushetsbelagt innhold");
        let mail = email(&f);
        assert!(!mail.subject.contains("skattemelding for 2025"));
        assert!(!mail.text.contains("2025"));
        assert!(mail.text.contains("taushetsbelagt innhold"));
        assert!(sms(&f).contains("Teiepliktig"));
    }

    #[test]
    fn a_confidential_notice_to_a_person_is_hers_to_open() {
        let mut f = facts(Language::Nb);
        f.confidential_access = Some("Post til virksomheten med taushetsbelagt innhold");
        f.to_person = true;
        let mail = email(&f);
        assert!(
            mail.text
                .contains("har sendt deg en taushetsbelagt melding")
        );
        assert!(!mail.text.contains("Hovedadministratoren"), "{}", mail.text);
        assert!(!mail.text.contains("2025"));
        assert!(!sms(&f).contains("tilgangen"));
    }

    #[test]
    fn html_is_escaped() {
        let mut f = facts(Language::En);
        f.sender = "<script>alert(1)</script>";
        let mail = email(&f);
        assert!(!mail.html.contains("<script>"));
    }

    #[test]
    fn sms_segments_follow_gsm_and_ucs2_rules() {
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"æøå".repeat(100)), 2);
        assert_eq!(sms_segments(&"€".repeat(80)), 1);
        assert_eq!(sms_segments(&"€".repeat(81)), 2);
        assert_eq!(sms_segments(&"ł".repeat(70)), 1);
        assert_eq!(sms_segments(&"ł".repeat(71)), 2);
    }
}

/// What a forwarded message's e-mail says: the forwarder's text, who forwarded it from whom,
/// and the message itself (its body rendered as the inbox renders it).
pub struct Forwarded<'a> {
    pub language: Language,
    pub forwarded_by: &'a str,
    pub note: Option<&'a str>,
    pub sender: &'a str,
    pub service: &'a str,
    pub published: &'a str,
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub body: &'a str,
    /// The names of the attached files (the text part lists them).
    pub files: Vec<&'a str>,
}

#[derive(Template)]
#[template(path = "email/forward.html")]
struct ForwardHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    note: Option<&'a str>,
    intro: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    body_html: &'a str,
}

/// The e-mail of a forwarded message.
pub fn forwarded(f: &Forwarded<'_>) -> Email {
    let (prefix, intro, files_label) = match f.language {
        Language::Nb => (
            "Videresendt",
            format!(
                "Videresendt av {} fra innboksen. Sendt av {} i tjenesten «{}» {}.",
                f.forwarded_by, f.sender, f.service, f.published
            ),
            "Vedlegg",
        ),
        Language::Nn => (
            "Vidaresendt",
            format!(
                "Vidaresendt av {} frå innboksen. Sendt av {} i tenesta «{}» {}.",
                f.forwarded_by, f.sender, f.service, f.published
            ),
            "Vedlegg",
        ),
        Language::En => (
            "Forwarded",
            format!(
                "Forwarded by {} from the inbox. Sent by {} in the service “{}” on {}.",
                f.forwarded_by, f.sender, f.service, f.published
            ),
            "Attachments",
        ),
    };
    let subject = format!("{prefix}: {}", f.title).replace(['\r', '\n'], " ");
    let mut text = String::new();
    if let Some(note) = f.note {
        text.push_str(note);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{intro}\n\n{}\n\n", f.title));
    if let Some(summary) = f.summary {
        text.push_str(&format!("{summary}\n\n"));
    }
    text.push_str(f.body.trim_end());
    text.push('\n');
    if !f.files.is_empty() {
        text.push_str(&format!("\n{files_label}: {}\n", f.files.join(", ")));
    }
    let body_html = crate::web::markdown::to_safe_html(f.body);
    let html = ForwardHtml {
        lang: f.language.html_lang(),
        subject: &subject,
        note: f.note,
        intro: &intro,
        title: f.title,
        summary: f.summary,
        body_html: &body_html,
    }
    .render()
    .unwrap_or_else(|_| format!("<pre>{}</pre>", html_escape(&text)));
    Email {
        subject,
        text,
        html,
    }
}
