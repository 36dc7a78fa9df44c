//! Norwegian national identity numbers, organisation numbers and party references.

use std::fmt;

/// Whether synthetic test identities (month + 40 or + 80) are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestIds {
    Allowed,
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be exactly {0} digits")]
    Length(usize),
    #[error("the check digits do not match")]
    Checksum,
    #[error("not a valid date of birth")]
    Date,
    #[error("synthetic test identities are not accepted here")]
    Synthetic,
    #[error("not a recognised party reference")]
    Reference,
}

fn digits<const N: usize>(input: &str) -> Result<[u8; N], IdError> {
    let bytes = input.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(IdError::Length(N));
    }
    let mut out = [0u8; N];
    for (slot, byte) in out.iter_mut().zip(bytes) {
        *slot = byte - b'0';
    }
    Ok(out)
}

/// Mod-11 check digit over `digits` with `weights`; `None` when the result would be 10.
fn mod11(digits: &[u8], weights: &[u8]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * u32::from(*w))
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        k => u8::try_from(k).ok(),
    }
}

const NID_WEIGHTS_1: [u8; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const NID_WEIGHTS_2: [u8; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
const ORG_WEIGHTS: [u8; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

/// An 11-digit national identity number (fødselsnummer or D-number).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalId(String);

impl NationalId {
    /// Spaces people type between the date of birth and the rest (or anywhere) are ignored.
    pub fn parse(input: &str, test_ids: TestIds) -> Result<Self, IdError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let input = compact.as_str();
        let d: [u8; 11] = digits(input)?;
        if mod11(&d[..9], &NID_WEIGHTS_1) != Some(d[9])
            || mod11(&d[..10], &NID_WEIGHTS_2) != Some(d[10])
        {
            return Err(IdError::Checksum);
        }
        let mut day = d[0] * 10 + d[1];
        let mut month = d[2] * 10 + d[3];
        if day > 40 {
            day -= 40; // D-number
        }
        let synthetic = month > 40;
        if month > 80 {
            month -= 80;
        } else if month > 40 {
            month -= 40;
        }
        if synthetic && test_ids == TestIds::Refused {
            return Err(IdError::Synthetic);
        }
        // The year is ambiguous across centuries; a leap day is accepted for any year here.
        let max_day = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 => 29,
            _ => return Err(IdError::Date),
        };
        if day == 0 || day > max_day {
            return Err(IdError::Date);
        }
        Ok(Self(input.to_owned()))
    }

    /// Builds a valid number from a date of birth part (DDMMYY) and an individual number,
    /// or `None` when no check digit exists for that combination.
    pub fn from_parts(ddmmyy: &str, individual: u16) -> Option<Self> {
        let base = format!("{ddmmyy}{individual:03}");
        let d: [u8; 9] = digits(&base).ok()?;
        let k1 = mod11(&d, &NID_WEIGHTS_1)?;
        let mut ten = [0u8; 10];
        ten[..9].copy_from_slice(&d);
        ten[9] = k1;
        let k2 = mod11(&ten, &NID_WEIGHTS_2)?;
        Some(Self(format!("{base}{k1}{k2}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown in lists: date of birth and five stars.
    pub fn masked(&self) -> String {
        masked_national_id(&self.0)
    }
}

/// A stored national identity number as lists show it: date of birth and five stars (what is
/// not eleven digits shows as stars only).
pub fn masked_national_id(id: &str) -> String {
    match id.get(..6) {
        Some(birth) if id.len() == 11 && id.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{birth} *****")
        }
        _ => "*****".to_owned(),
    }
}

/// Never print the full number by accident (logs, debug output).
impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

/// A 9-digit organisation number from the business register.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgNumber(String);

impl OrgNumber {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let d: [u8; 9] = digits(&compact)?;
        if mod11(&d[..8], &ORG_WEIGHTS) != Some(d[8]) {
            return Err(IdError::Checksum);
        }
        Ok(Self(compact))
    }

    /// Builds a valid number from its first eight digits, or `None` when no check digit exists.
    pub fn from_base(base: u32) -> Option<Self> {
        let s = format!("{base:08}");
        let d: [u8; 8] = digits(&s).ok()?;
        let k = mod11(&d, &ORG_WEIGHTS)?;
        Some(Self(format!("{s}{k}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shown in groups of three: `974 760 673`.
/// A stored organisation number as people read it (groups of three); anything else as stored.
pub fn grouped_org_number(number: &str) -> String {
    match OrgNumber::parse(number) {
        Ok(org) => org.to_string(),
        Err(_) => number.to_owned(),
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

/// A recipient or party as referenced in forms and the API.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PartyRef {
    Person(NationalId),
    Organization(OrgNumber),
}

const PERSON_URN: &str = "urn:altinn:person:identifier-no:";
const ORG_URN: &str = "urn:altinn:organization:identifier-no:";

impl PartyRef {
    /// Accepts the URN forms, the `0192:` short form, and bare 11 or 9 digits.
    pub fn parse(input: &str, test_ids: TestIds) -> Result<Self, IdError> {
        let input = input.trim();
        if let Some(rest) = input.strip_prefix(PERSON_URN) {
            return NationalId::parse(rest, test_ids).map(Self::Person);
        }
        if let Some(rest) = input
            .strip_prefix(ORG_URN)
            .or_else(|| input.strip_prefix("0192:"))
        {
            return OrgNumber::parse(rest).map(Self::Organization);
        }
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        match compact.len() {
            11 if compact.bytes().all(|b| b.is_ascii_digit()) => {
                NationalId::parse(&compact, test_ids).map(Self::Person)
            }
            9 if compact.bytes().all(|b| b.is_ascii_digit()) => {
                OrgNumber::parse(&compact).map(Self::Organization)
            }
            _ => Err(IdError::Reference),
        }
    }

    /// The bare national id or organisation number.
    pub fn number(&self) -> &str {
        match self {
            Self::Person(id) => id.as_str(),
            Self::Organization(org) => org.as_str(),
        }
    }

    pub fn urn(&self) -> String {
        match self {
            Self::Person(id) => format!("{PERSON_URN}{}", id.as_str()),
            Self::Organization(org) => format!("{ORG_URN}{}", org.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_numbers_parse() {
        // A synthetic test identity (month + 80) and a D-number built from parts.
        let synthetic =
            NationalId::from_parts("018190", 123).or_else(|| NationalId::from_parts("018190", 124));
        let synthetic = synthetic.expect("some individual number has check digits");
        assert!(NationalId::parse(synthetic.as_str(), TestIds::Allowed).is_ok());
        // Typed with spaces, as people do: the same number.
        let (birth, rest) = synthetic.as_str().split_at(6);
        assert_eq!(
            NationalId::parse(&format!(" {birth} {rest}\u{a0}"), TestIds::Allowed).as_ref(),
            Ok(&synthetic)
        );
        assert_eq!(
            OrgNumber::parse("974 760 673").map(|o| o.0),
            Ok("974760673".to_owned())
        );
        assert_eq!(
            NationalId::parse(synthetic.as_str(), TestIds::Refused),
            Err(IdError::Synthetic)
        );
        assert!(OrgNumber::parse("974760673").is_ok());
        assert_eq!(OrgNumber::parse("974760674"), Err(IdError::Checksum));
        assert_eq!(
            OrgNumber::parse("974760673")
                .map(|o| o.to_string())
                .as_deref(),
            Ok("974 760 673")
        );
    }
}
