//! RSA signing keys: the client's `private_key_jwt` assertion key, and the demo provider's
//! ID-token key. JWTs are signed RS256 through openidconnect's signing-key type.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

pub struct SigningKey {
    key: CoreRsaPrivateSigningKey,
    kid: String,
}

impl SigningKey {
    /// Reads a PKCS#1 or PKCS#8 PEM key; without a key id, one is derived from the public key.
    pub fn from_pem(pem: &str, kid: Option<String>) -> anyhow::Result<Self> {
        let rsa = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .context("not an RSA private key in PEM (PKCS#1 or PKCS#8)")?;
        Self::from_rsa(&rsa, kid)
    }

    fn from_rsa(rsa: &RsaPrivateKey, kid: Option<String>) -> anyhow::Result<Self> {
        let kid = kid.unwrap_or_else(|| {
            format!("{:x}", Sha256::digest(rsa.n().to_bytes_be()))[..16].to_owned()
        });
        let pkcs1 = rsa
            .to_pkcs1_pem(LineEnding::LF)
            .context("cannot encode the key")?;
        let key = CoreRsaPrivateSigningKey::from_pem(&pkcs1, Some(JsonWebKeyId::new(kid.clone())))
            .map_err(|e| anyhow::anyhow!("cannot load the key: {e}"))?;
        Ok(SigningKey { key, kid })
    }

    pub fn from_file(path: &Path, kid: Option<String>) -> anyhow::Result<Self> {
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Self::from_pem(&pem, kid)
    }

    /// Loads the key at `path`, or makes a 2048-bit one there (readable by the owner only).
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            return Self::from_file(path, None);
        }
        let rsa = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .context("cannot generate an RSA key")?;
        let pem = rsa
            .to_pkcs1_pem(LineEnding::LF)
            .context("cannot encode the key")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(path, pem.as_bytes())?;
        Self::from_rsa(&rsa, None)
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half as a JWK.
    pub fn public_jwk(&self) -> CoreJsonWebKey {
        self.key.as_verification_key()
    }

    /// `{"keys": [...]}` for a JWKS endpoint.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.public_jwk()] })
    }

    /// A compact RS256 JWT over `claims`.
    pub fn sign_jwt(&self, claims: &serde_json::Value) -> anyhow::Result<String> {
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
        );
        let signature = self
            .key
            .sign(
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                signing_input.as_bytes(),
            )
            .map_err(|e| anyhow::anyhow!("signing failed: {e}"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}
