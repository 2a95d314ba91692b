//! Session tokens for the API: issue, verify and revoke.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an issued session stays valid.
pub const SESSION_TTL: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: u64,
    pub token: String,
    pub expires_at: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum AuthError {
    UnknownToken,
    Expired,
}

#[allow(dead_code)]
struct LegacyTokenCache {
    entries: HashMap<String, u64>,
    hits: u64,
}

pub struct SessionStore {
    sessions: HashMap<String, Session>,
    next_nonce: u64,
}

impl SessionStore {
    pub fn new() -> Self {
        SessionStore { sessions: HashMap::new(), next_nonce: 1 }
    }

    /// Issue a session for `user_id`, valid for SESSION_TTL from `now` (seconds since the epoch).
    pub fn issue(&mut self, user_id: u64, now: u64) -> Session {
        let token = format!("{:016x}{:08x}", user_id.rotate_left(17) ^ now, self.next_nonce);
        self.next_nonce += 1;
        let session = Session { user_id, token: token.clone(), expires_at: now + SESSION_TTL.as_secs() };
        self.sessions.insert(token, session.clone());
        session
    }

    /// The session behind `token`, if it exists and has not expired at `now`.
    pub fn verify(&self, token: &str, now: u64) -> Result<&Session, AuthError> {
        let session = self.sessions.get(token).ok_or(AuthError::UnknownToken)?;
        if session.expires_at <= now {
            return Err(AuthError::Expired);
        }
        Ok(session)
    }

    /// End the session behind `token`, so that later verifications fail.
    pub fn revoke(&mut self, token: &str) -> Result<(), AuthError> {
        unimplemented!()
    }
}

/// Seconds since the Unix epoch, for callers that do not inject a clock.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_session_verifies_until_it_expires() {
        let mut store = SessionStore::new();
        let session = store.issue(7, 1_000);
        assert_eq!(store.verify(&session.token, 1_001).map(|s| s.user_id), Ok(7));
        assert_eq!(store.verify(&session.token, session.expires_at), Err(AuthError::Expired));
    }

    #[test]
    fn unknown_token_is_rejected() {
        let store = SessionStore::new();
        assert_eq!(store.verify("0000", 1).map(|s| s.user_id), Err(AuthError::UnknownToken));
    }
}
