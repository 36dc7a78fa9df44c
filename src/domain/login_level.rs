use std::fmt;

/// ID-porten's assurance levels, ordered: `High` satisfies anything `Substantial` does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum LoginLevel {
    Substantial = 3,
    High = 4,
}

impl LoginLevel {
    pub fn acr(self) -> &'static str {
        match self {
            LoginLevel::Substantial => "idporten-loa-substantial",
            LoginLevel::High => "idporten-loa-high",
        }
    }

    pub fn from_acr(acr: &str) -> Option<Self> {
        match acr {
            "idporten-loa-substantial" => Some(LoginLevel::Substantial),
            "idporten-loa-high" => Some(LoginLevel::High),
            _ => None,
        }
    }

    /// The number services use for their minimum level (3 or 4).
    pub fn number(self) -> i16 {
        self as i16
    }

    pub fn from_number(n: i16) -> Option<Self> {
        match n {
            3 => Some(LoginLevel::Substantial),
            4 => Some(LoginLevel::High),
            _ => None,
        }
    }
}

impl fmt::Display for LoginLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.acr())
    }
}
