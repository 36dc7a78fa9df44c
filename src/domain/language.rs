use std::fmt;
use std::str::FromStr;

/// The three languages of the product and of messages.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Nb,
    Nn,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Nb, Language::Nn, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }

    /// The value for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }

    /// The language's own name, as shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Nb => "Bokmål",
            Language::Nn => "Nynorsk",
            Language::En => "English",
        }
    }
}

impl FromStr for Language {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nb" | "no" | "nb-no" | "no-no" => Ok(Language::Nb),
            "nn" | "nn-no" => Ok(Language::Nn),
            "en" | "en-gb" | "en-us" => Ok(Language::En),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
