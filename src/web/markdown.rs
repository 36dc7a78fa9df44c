//! Message bodies: CommonMark rendered to HTML, then sanitised, so a sender can never put script,
//! styles or tracking into a recipient's page.

use pulldown_cmark::{Options, Parser, html};

/// Safe HTML for a Markdown body. Links open as ordinary links with `rel="noopener noreferrer"`;
/// images are dropped (they would fetch from elsewhere and break the content security policy).
pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    SANITISER.clean(&raw).to_string()
}

/// The sanitiser's rules (sets of tags, attributes and schemes), built once, not for every body.
static SANITISER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(&["img"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["https", "mailto"].into());
    builder
});

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn markdown_is_rendered_and_dangerous_html_removed() {
        let html = to_safe_html(
            "Hei **Kari**\n\n<script>alert(1)</script>\n\n[lenke](javascript:alert(1)) [ok](https://skatteetaten.example)\n\n![bilde](https://tracker.example/p.gif)",
        );
        assert!(html.contains("<strong>Kari</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("href=\"https://skatteetaten.example\""));
        assert!(html.contains("rel=\"noopener noreferrer\""));
        assert!(!html.contains("<img"));
    }
}
