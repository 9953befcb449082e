//! One private key on one token: finding the token and the key, logging in,
//! and a pool of sessions so that several threads sign at once.
//!
//! A PKCS#11 session must not be used by two threads at the same time
//! (cryptoki's `Session` is `Send` but not `Sync`). Each signature takes an
//! idle session from the pool, or opens a new one (up to
//! [`MAX_SESSIONS`]), and gives it back afterwards. The login state belongs
//! to the application and the token, not the session: a session opened
//! after the first login is logged in too, as long as one session of the
//! token stays open, which the pool ensures.

mod pool;

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use notation_core::algorithm::HashAlgorithm;

use crate::error::Pkcs11Error;
use crate::module::Module;
use crate::pin::Pin;
use crate::uri::Pkcs11Uri;
use pool::Pool;

/// Most sessions one key keeps open (tokens limit their sessions; more
/// signing threads than this wait for a free one).
pub const MAX_SESSIONS: usize = 16;

/// Most certificate objects read from a token when assembling a chain.
const MAX_TOKEN_CERTIFICATES: usize = 256;

/// What the token says about the private key.
#[derive(Clone, Debug)]
pub(crate) enum KeyMaterial {
    /// `CKK_RSA`: the public modulus and exponent (big-endian).
    Rsa { modulus: Vec<u8>, exponent: Vec<u8> },
    /// `CKK_EC`: `CKA_EC_PARAMS` (DER) and, when a public key object or
    /// the private key carries it, the SEC1 point.
    Ec {
        params: Vec<u8>,
        point: Option<Vec<u8>>,
    },
}

/// A private key on a token, with its sessions.
pub(crate) struct TokenKey {
    module: Arc<Module>,
    slot: Slot,
    token_label: String,
    uri: String,
    selector: Vec<Attribute>,
    pin: Option<Pin>,
    login_required: bool,
    protected_path: bool,
    material: KeyMaterial,
    pool: Mutex<Pool<(Session, ObjectHandle)>>,
    returned: Condvar,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("module", &self.module.path())
            .field("slot", &self.slot.id())
            .field("token", &self.token_label)
            .field("uri", &self.uri)
            .field("pin", &self.pin)
            .finish_non_exhaustive()
    }
}

fn has(a: Option<&str>, b: &str) -> bool {
    a.is_none_or(|a| a == b)
}

/// The one slot whose token matches the URI's slot and token attributes.
fn find_slot(
    module: &Module,
    uri: &Pkcs11Uri,
) -> Result<(Slot, cryptoki::slot::TokenInfo), Pkcs11Error> {
    let ctx = module.context();
    let not_found = || Pkcs11Error::TokenNotFound {
        uri: uri.redacted(),
    };
    if !module.matches(uri) {
        return Err(not_found());
    }
    let mut found = Vec::new();
    let mut unreadable = None;
    for slot in ctx
        .get_slots_with_token()
        .map_err(Pkcs11Error::token("C_GetSlotList"))?
    {
        if uri.slot_id().is_some_and(|id| id != slot.id()) {
            continue;
        }
        if uri.slot_description().is_some() || uri.slot_manufacturer().is_some() {
            let info = ctx
                .get_slot_info(slot)
                .map_err(Pkcs11Error::token("C_GetSlotInfo"))?;
            if !has(uri.slot_description(), info.slot_description())
                || !has(uri.slot_manufacturer(), info.manufacturer_id())
            {
                continue;
            }
        }
        let info = match ctx.get_token_info(slot) {
            Ok(info) => info,
            // A token removed since the slot list was read.
            Err(CkError::Pkcs11(RvError::TokenNotPresent, _)) => continue,
            // Another token that cannot answer now (SoftHSM fails while
            // another process rewrites that token's file) must not hide
            // the one asked for; its error is reported if nothing matches.
            Err(e) => {
                unreadable.get_or_insert(e);
                continue;
            }
        };
        if !info.token_initialized() {
            continue;
        }
        if has(uri.token(), info.label())
            && has(uri.manufacturer(), info.manufacturer_id())
            && has(uri.model(), info.model())
            && has(uri.serial(), info.serial_number())
        {
            found.push((slot, info));
        }
    }
    match found.len() {
        0 => Err(match unreadable {
            Some(e) => Pkcs11Error::token("C_GetTokenInfo")(e),
            None => not_found(),
        }),
        1 => Ok(found.remove(0)),
        count => Err(Pkcs11Error::AmbiguousToken {
            uri: uri.redacted(),
            count,
        }),
    }
}

/// The attributes that select the URI's objects of class `class`.
fn selector(uri: &Pkcs11Uri, class: ObjectClass) -> Vec<Attribute> {
    let mut template = vec![Attribute::Class(class)];
    if let Some(label) = uri.object() {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = uri.id() {
        template.push(Attribute::Id(id.to_vec()));
    }
    template
}

fn bytes_of(attrs: &[Attribute], want: AttributeType) -> Option<Vec<u8>> {
    attrs.iter().find_map(|a| match (a, want) {
        (Attribute::Modulus(v), AttributeType::Modulus)
        | (Attribute::PublicExponent(v), AttributeType::PublicExponent)
        | (Attribute::EcParams(v), AttributeType::EcParams)
        | (Attribute::EcPoint(v), AttributeType::EcPoint)
        | (Attribute::Value(v), AttributeType::Value)
        | (Attribute::Id(v), AttributeType::Id)
        | (Attribute::Label(v), AttributeType::Label) => Some(v.clone()),
        _ => None,
    })
}

fn bool_of(attrs: &[Attribute], want: AttributeType) -> Option<bool> {
    attrs.iter().find_map(|a| match (a, want) {
        (Attribute::Sign(v), AttributeType::Sign)
        | (Attribute::AlwaysAuthenticate(v), AttributeType::AlwaysAuthenticate) => Some(*v),
        _ => None,
    })
}

impl TokenKey {
    /// Finds the token and the private key the URI names, and logs in.
    pub(crate) fn open(
        module: Arc<Module>,
        uri: &Pkcs11Uri,
        pin: Option<Pin>,
    ) -> Result<Self, Pkcs11Error> {
        let (slot, info) = find_slot(&module, uri)?;
        let key = TokenKey {
            slot,
            token_label: info.label().to_string(),
            uri: uri.redacted(),
            selector: selector(uri, ObjectClass::PRIVATE_KEY),
            pin,
            login_required: info.login_required(),
            protected_path: info.protected_authentication_path(),
            material: KeyMaterial::Rsa {
                modulus: Vec::new(),
                exponent: Vec::new(),
            },
            module,
            pool: Mutex::new(Pool::new(MAX_SESSIONS)),
            returned: Condvar::new(),
        };
        let session = key.open_session()?;
        let handle = key.find_one(&session, &key.selector, "private key")?;
        let mut key = key;
        key.material = key.read_key(&session, handle)?;
        key.check_mechanism()?;
        key.give_back(session, handle);
        Ok(key)
    }

    pub(crate) fn token_label(&self) -> &str {
        &self.token_label
    }

    pub(crate) fn uri(&self) -> &str {
        &self.uri
    }

    pub(crate) fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// Opens a session and logs it in (a no-op when the token already is).
    fn open_session(&self) -> Result<Session, Pkcs11Error> {
        let session = self
            .module
            .context()
            .open_ro_session(self.slot)
            .map_err(Pkcs11Error::token("C_OpenSession"))?;
        self.login(&session)?;
        Ok(session)
    }

    fn login(&self, session: &Session) -> Result<(), Pkcs11Error> {
        if !self.login_required {
            return Ok(());
        }
        let result = match &self.pin {
            Some(pin) => session.login_with_raw(
                UserType::User,
                &secrecy::SecretBox::new(Box::new(pin.expose().to_vec())),
            ),
            None if self.protected_path => session.login(UserType::User, None),
            None => {
                return Err(Pkcs11Error::PinRequired {
                    token: self.token_label.clone(),
                });
            }
        };
        match (result, &self.pin) {
            (Ok(()), Some(pin)) => {
                self.module.record_login(self.slot.id(), pin);
                Ok(())
            }
            (Ok(()), None) => Ok(()),
            // Logged in already, by this process: with this PIN only.
            (Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)), Some(pin))
                if !self.module.same_login(self.slot.id(), pin) =>
            {
                Err(Pkcs11Error::WrongPin {
                    token: self.token_label.clone(),
                })
            }
            (Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)), _) => Ok(()),
            (Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)), _) => {
                Err(Pkcs11Error::WrongPin {
                    token: self.token_label.clone(),
                })
            }
            (Err(CkError::Pkcs11(RvError::PinLocked, _)), _) => Err(Pkcs11Error::PinLocked {
                token: self.token_label.clone(),
            }),
            (Err(e), _) => Err(Pkcs11Error::token("C_Login")(e)),
        }
    }

    /// The single object `template` selects.
    fn find_one(
        &self,
        session: &Session,
        template: &[Attribute],
        class: &'static str,
    ) -> Result<ObjectHandle, Pkcs11Error> {
        let mut found = session
            .find_objects(template)
            .map_err(Pkcs11Error::token("C_FindObjects"))?;
        match found.len() {
            0 => Err(Pkcs11Error::ObjectNotFound {
                class,
                token: self.token_label.clone(),
                uri: self.uri.clone(),
            }),
            1 => Ok(found.remove(0)),
            count => Err(Pkcs11Error::AmbiguousObject {
                class,
                token: self.token_label.clone(),
                uri: self.uri.clone(),
                count,
            }),
        }
    }

    fn unusable(&self, reason: impl Into<String>) -> Pkcs11Error {
        Pkcs11Error::UnusableKey {
            uri: self.uri.clone(),
            reason: reason.into(),
        }
    }

    fn read_key(
        &self,
        session: &Session,
        handle: ObjectHandle,
    ) -> Result<KeyMaterial, Pkcs11Error> {
        let attrs = session
            .get_attributes(
                handle,
                &[
                    AttributeType::KeyType,
                    AttributeType::Sign,
                    AttributeType::AlwaysAuthenticate,
                    AttributeType::Id,
                    AttributeType::Label,
                ],
            )
            .map_err(Pkcs11Error::token("C_GetAttributeValue"))?;
        if bool_of(&attrs, AttributeType::Sign) == Some(false) {
            return Err(
                self.unusable("the token does not allow signing with it (CKA_SIGN is false)")
            );
        }
        if bool_of(&attrs, AttributeType::AlwaysAuthenticate) == Some(true) {
            return Err(self.unusable(
                "it needs a login for every signature (CKA_ALWAYS_AUTHENTICATE), which is not supported",
            ));
        }
        let key_type = attrs.iter().find_map(|a| match a {
            Attribute::KeyType(t) => Some(*t),
            _ => None,
        });
        match key_type {
            Some(t) if t == KeyType::RSA => {
                let attrs = session
                    .get_attributes(
                        handle,
                        &[AttributeType::Modulus, AttributeType::PublicExponent],
                    )
                    .map_err(Pkcs11Error::token("C_GetAttributeValue"))?;
                match (
                    bytes_of(&attrs, AttributeType::Modulus),
                    bytes_of(&attrs, AttributeType::PublicExponent),
                ) {
                    (Some(modulus), Some(exponent)) => Ok(KeyMaterial::Rsa { modulus, exponent }),
                    _ => {
                        Err(self
                            .unusable("the token does not show the RSA key's modulus and exponent"))
                    }
                }
            }
            Some(t) if t == KeyType::EC => {
                let params = session
                    .get_attributes(handle, &[AttributeType::EcParams])
                    .map_err(Pkcs11Error::token("C_GetAttributeValue"))
                    .map(|a| bytes_of(&a, AttributeType::EcParams))?
                    .ok_or_else(|| self.unusable("the token does not show the EC key's curve"))?;
                // The private key carries no point; the public key object
                // stored beside it (same id and label) does.
                let id = bytes_of(&attrs, AttributeType::Id);
                let label = bytes_of(&attrs, AttributeType::Label);
                let point = self.public_point(session, id, label)?;
                Ok(KeyMaterial::Ec { params, point })
            }
            Some(other) => Err(self.unusable(format!(
                "it is a {other} key; Notation signs with RSA or EC keys"
            ))),
            None => Err(self.unusable("the token does not show the key type")),
        }
    }

    /// The EC point of the public key object with the private key's id (or
    /// label), if there is exactly one.
    fn public_point(
        &self,
        session: &Session,
        id: Option<Vec<u8>>,
        label: Option<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, Pkcs11Error> {
        let mut template = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
        match (id, label) {
            (Some(id), _) if !id.is_empty() => template.push(Attribute::Id(id)),
            (_, Some(label)) if !label.is_empty() => template.push(Attribute::Label(label)),
            _ => return Ok(None),
        }
        let found = session
            .find_objects(&template)
            .map_err(Pkcs11Error::token("C_FindObjects"))?;
        let [handle] = found[..] else {
            return Ok(None);
        };
        let attrs = session
            .get_attributes(handle, &[AttributeType::EcPoint])
            .map_err(Pkcs11Error::token("C_GetAttributeValue"))?;
        Ok(bytes_of(&attrs, AttributeType::EcPoint).map(|p| crate::ecdsa::unwrap_ec_point(&p)))
    }

    fn check_mechanism(&self) -> Result<(), Pkcs11Error> {
        let (mechanism, name, key) = match self.material {
            KeyMaterial::Rsa { .. } => (MechanismType::RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS", "RSA"),
            KeyMaterial::Ec { .. } => (MechanismType::ECDSA, "CKM_ECDSA", "EC"),
        };
        let list = self
            .module
            .context()
            .get_mechanism_list(self.slot)
            .map_err(Pkcs11Error::token("C_GetMechanismList"))?;
        if list.contains(&mechanism) {
            Ok(())
        } else {
            Err(Pkcs11Error::MechanismUnsupported {
                token: self.token_label.clone(),
                mechanism: name,
                key,
            })
        }
    }

    /// Signs a digest made with `hash`: RSASSA-PSS (MGF1 with the same
    /// hash, salt length = hash length) or raw ECDSA, whose output is
    /// returned as the module gives it.
    pub(crate) fn sign_digest(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, Pkcs11Error> {
        let mechanism = match self.material {
            KeyMaterial::Rsa { .. } => {
                let (hash_alg, mgf) = match hash {
                    HashAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
                    HashAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
                    HashAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
                };
                Mechanism::RsaPkcsPss(PkcsPssParams {
                    hash_alg,
                    mgf,
                    s_len: (hash.output_len() as u64).into(),
                })
            }
            KeyMaterial::Ec { .. } => Mechanism::Ecdsa,
        };
        let (mut session, mut handle) = self.take()?;
        let mut result = session.sign(&mechanism, handle, digest);
        if let Err(CkError::Pkcs11(rv, _)) = &result
            && is_stale_session(*rv)
        {
            // The token was removed and put back (or reset): every session
            // of the pool is dead. Close them, and sign once more with a
            // new one (which finds the key again).
            drop(session);
            self.discard();
            self.close_idle();
            (session, handle) = self.take()?;
            result = session.sign(&mechanism, handle, digest);
        }
        if let Err(CkError::Pkcs11(RvError::UserNotLoggedIn, _)) = result {
            // The token logged out (another user of the module, a token
            // reset): log in again, once.
            self.login(&session).inspect_err(|_| self.discard())?;
            result = session.sign(&mechanism, handle, digest);
        }
        match result {
            Ok(signature) => {
                self.give_back(session, handle);
                Ok(signature)
            }
            Err(e) => {
                // A session whose operation failed may be in any state: close
                // it rather than reuse it.
                drop(session);
                self.discard();
                Err(match e {
                    CkError::Pkcs11(RvError::MechanismInvalid, _) => {
                        Pkcs11Error::MechanismUnsupported {
                            token: self.token_label.clone(),
                            mechanism: match self.material {
                                KeyMaterial::Rsa { .. } => "CKM_RSA_PKCS_PSS",
                                KeyMaterial::Ec { .. } => "CKM_ECDSA",
                            },
                            key: match self.material {
                                KeyMaterial::Rsa { .. } => "RSA",
                                KeyMaterial::Ec { .. } => "EC",
                            },
                        }
                    }
                    e => Pkcs11Error::token("C_Sign")(e),
                })
            }
        }
    }

    /// An idle session (with the key's handle in it), a new one, or the
    /// next one given back when as many as the token allows are in use
    /// (at most [`MAX_SESSIONS`]; see [`pool`]).
    fn take(&self) -> Result<(Session, ObjectHandle), Pkcs11Error> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(idle) = pool.idle.pop() {
                return Ok(idle);
            }
            if pool.reserve(Instant::now()) {
                drop(pool);
                let opened = self.open_session().and_then(|s| {
                    let handle = self.find_one(&s, &self.selector, "private key")?;
                    Ok((s, handle))
                });
                match opened {
                    Err(
                        e @ Pkcs11Error::Token {
                            error: CkError::Pkcs11(RvError::SessionCount, _),
                            ..
                        },
                    ) => {
                        // No longer counted; wait for one of the sessions
                        // open to come back, if any is.
                        if !self.refused() {
                            return Err(e);
                        }
                        pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
                        continue;
                    }
                    Err(e) => {
                        self.discard();
                        return Err(e);
                    }
                    Ok(opened) => return Ok(opened),
                }
            }
            // Woken by a session given back, or when the pool would ask
            // the token for one more.
            pool = match pool.retry_in(Instant::now()) {
                Some(wait) => {
                    self.returned
                        .wait_timeout(pool, wait)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => self.returned.wait(pool).unwrap_or_else(|p| p.into_inner()),
            };
        }
    }

    fn give_back(&self, session: Session, handle: ObjectHandle) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        pool.idle.push((session, handle));
        // The first session is counted when it is given back the first time.
        pool.open = pool.open.max(pool.idle.len());
        drop(pool);
        self.returned.notify_one();
    }

    /// After the token refused one more session ([`pool::Pool::refused`]).
    /// False when none is open (nothing will come back to wait for).
    fn refused(&self) -> bool {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        let waits = pool.refused(Instant::now());
        drop(pool);
        // Others waiting for a session they counted on another opening:
        // it will not come, so they look again (and may give up too).
        self.returned.notify_all();
        waits
    }

    /// Closes the idle sessions (after the token went away and came back,
    /// they are dead).
    fn close_idle(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        let idle = std::mem::take(&mut pool.idle);
        pool.open = pool.open.saturating_sub(idle.len());
        drop(pool);
        drop(idle);
        self.returned.notify_all();
    }

    /// One session fewer is open.
    fn discard(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        pool.discard();
        drop(pool);
        self.returned.notify_one();
    }

    /// The certificate objects the URI names (by label or id), then the
    /// issuers found on the token by subject, leaf first.
    pub(crate) fn certificate_chain(
        &self,
        uri: &Pkcs11Uri,
    ) -> Result<Option<Vec<Vec<u8>>>, Pkcs11Error> {
        let (session, handle) = self.take()?;
        let result = self.read_chain(&session, uri);
        if result.is_ok() {
            self.give_back(session, handle);
        } else {
            // A session whose reads failed may be dead: not reused.
            drop(session);
            self.discard();
        }
        result
    }

    fn read_chain(
        &self,
        session: &Session,
        uri: &Pkcs11Uri,
    ) -> Result<Option<Vec<Vec<u8>>>, Pkcs11Error> {
        let template = selector(uri, ObjectClass::CERTIFICATE);
        let leaf = match self.find_one(session, &template, "certificate") {
            Ok(h) => h,
            Err(Pkcs11Error::ObjectNotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let value = |h: ObjectHandle| -> Result<Vec<u8>, Pkcs11Error> {
            session
                .get_attributes(h, &[AttributeType::Value])
                .map_err(Pkcs11Error::token("C_GetAttributeValue"))
                .map(|a| bytes_of(&a, AttributeType::Value).unwrap_or_default())
        };
        let mut chain = vec![value(leaf)?];
        // Issuers: the token's other certificates, matched by subject.
        let all = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .map_err(Pkcs11Error::token("C_FindObjects"))?;
        let others: Vec<Vec<u8>> = all
            .into_iter()
            .filter(|h| *h != leaf)
            .take(MAX_TOKEN_CERTIFICATES)
            .map(value)
            .collect::<Result<_, _>>()?;
        let parsed: Vec<notation_core::x509::Certificate> = others
            .iter()
            .filter_map(|der| notation_core::x509::Certificate::from_der(der).ok())
            .collect();
        let mut current = notation_core::x509::Certificate::from_der(&chain[0])
            .map_err(|e| Pkcs11Error::Certificate(format!("certificate on the token: {e}")))?;
        while !current.is_self_issued() && chain.len() < notation_core::envelope::MAX_CHAIN_LENGTH {
            // By subject, and by the signature: a token may keep an old and
            // a renewed issuer under one name.
            let Some(issuer) = parsed.iter().find(|c| {
                c.raw_subject() == current.raw_issuer()
                    && !chain.iter().any(|d| d == c.der())
                    && current
                        .check_signature_with(
                            c.public_key(),
                            &notation_core::crypto::DefaultProvider,
                        )
                        .is_ok()
            }) else {
                break;
            };
            chain.push(issuer.der().to_vec());
            current = issuer.clone();
        }
        Ok(Some(chain))
    }
}

/// Answers that mean a session (or the handle found in it) no longer
/// exists on the token.
fn is_stale_session(rv: RvError) -> bool {
    matches!(
        rv,
        RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::KeyHandleInvalid
            | RvError::ObjectHandleInvalid
    )
}
