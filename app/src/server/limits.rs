//! Rate limits (the `governor` crate's keyed GCRA limiters).
//!
//! Sign-in and sign-up are limited per client address (each attempt costs an argon2
//! hash of ~19 MiB; see also `auth`'s bound on concurrent hashing), report filing
//! per developer (an outage flood of many developers still gets through; one account
//! cannot flood the queue), and the JSON API per token owner. Over a limit the caller
//! gets 429 with `Retry-After`, and a form says it in words. Each instance counts on
//! its own (several instances behind a balancer each allow the rate).
//!
//! Configured by environment (see the README): `FAULTDESK_RATE_SIGNIN_PER_MINUTE`
//! (default 10), `FAULTDESK_RATE_SIGNUP_PER_HOUR` (20), `FAULTDESK_RATE_FILINGS_PER_MINUTE`
//! (30, bursts of 10), `FAULTDESK_RATE_API_PER_MINUTE` (600); `0` turns one off.

use crate::error::AppError;
use governor::{
    clock::{Clock, DefaultClock},
    DefaultKeyedRateLimiter, Quota, RateLimiter,
};
use std::{hash::Hash, net::IpAddr, num::NonZeroU32, time::Duration};

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A sign-in attempt (per client address).
    SignIn,
    /// Creating an account (per client address).
    SignUp,
    /// Filing a report (per developer).
    File,
    /// A call of the JSON API (per token owner).
    Api,
}

/// A configured rate: `per` events per `period`, bursts of `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_period: u32,
    pub period: Duration,
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Option<Quota> {
        let per = NonZeroU32::new(self.per_period)?;
        let burst = NonZeroU32::new(self.burst.max(1))?;
        let every = self.period / per.get();
        Quota::with_period(every).map(|q| q.allow_burst(burst))
    }
}

/// The rates in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    pub sign_in: Rate,
    pub sign_up: Rate,
    pub file: Rate,
    pub api: Rate,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            sign_in: Rate {
                per_period: 10,
                period: Duration::from_secs(60),
                burst: 10,
            },
            sign_up: Rate {
                per_period: 20,
                period: Duration::from_secs(3600),
                burst: 5,
            },
            file: Rate {
                per_period: 30,
                period: Duration::from_secs(60),
                burst: 10,
            },
            api: Rate {
                per_period: 600,
                period: Duration::from_secs(60),
                burst: 60,
            },
        }
    }
}

impl Rates {
    /// No limits at all (tests that are not about limits, benchmarks).
    pub fn off() -> Self {
        let off = Rate {
            per_period: 0,
            period: Duration::from_secs(60),
            burst: 1,
        };
        Self {
            sign_in: off,
            sign_up: off,
            file: off,
            api: off,
        }
    }

    /// The defaults, changed by `FAULTDESK_RATE_*` variables (a count per period; 0
    /// turns a limit off). A changed rate keeps the default's burst-to-rate proportion.
    pub fn from_env() -> Result<Self, String> {
        let mut rates = Self::default();
        for (name, rate) in [
            ("FAULTDESK_RATE_SIGNIN_PER_MINUTE", &mut rates.sign_in),
            ("FAULTDESK_RATE_SIGNUP_PER_HOUR", &mut rates.sign_up),
            ("FAULTDESK_RATE_FILINGS_PER_MINUTE", &mut rates.file),
            ("FAULTDESK_RATE_API_PER_MINUTE", &mut rates.api),
        ] {
            if let Some(n) = super::env::parsed::<u32, _>(name, .., "a whole number")? {
                let ratio = (rate.per_period / rate.burst.max(1)).max(1);
                rate.burst = (n / ratio).max(1);
                rate.per_period = n;
            }
        }
        Ok(rates)
    }
}

type Keyed<K> = Option<DefaultKeyedRateLimiter<K>>;

/// The limiters of this instance.
#[derive(Debug)]
pub struct Limits {
    sign_in: Keyed<IpAddr>,
    sign_up: Keyed<IpAddr>,
    file: Keyed<i64>,
    api: Keyed<i64>,
}

impl Limits {
    /// Limiters for `rates`.
    pub fn new(rates: Rates) -> Self {
        fn keyed<K: Hash + Eq + Clone>(rate: Rate) -> Keyed<K> {
            rate.quota().map(RateLimiter::keyed)
        }
        Self {
            sign_in: keyed(rates.sign_in),
            sign_up: keyed(rates.sign_up),
            file: keyed(rates.file),
            api: keyed(rates.api),
        }
    }

    /// Counts one `action` by the client at `addr`; 429 when over the limit.
    pub fn check_addr(&self, action: Action, addr: IpAddr) -> Result<(), AppError> {
        let limiter = match action {
            Action::SignIn => &self.sign_in,
            Action::SignUp => &self.sign_up,
            Action::File | Action::Api => return Ok(()),
        };
        check(limiter, &addr, action)
    }

    /// Counts one `action` by account `user`; 429 when over the limit.
    pub fn check_user(&self, action: Action, user: i64) -> Result<(), AppError> {
        let limiter = match action {
            Action::File => &self.file,
            Action::Api => &self.api,
            Action::SignIn | Action::SignUp => return Ok(()),
        };
        check(limiter, &user, action)
    }

    /// Forgets keys that have recovered their whole burst (call now and then).
    pub fn shrink(&self) {
        if let Some(l) = &self.sign_in {
            l.retain_recent();
        }
        if let Some(l) = &self.sign_up {
            l.retain_recent();
        }
        if let Some(l) = &self.file {
            l.retain_recent();
        }
        if let Some(l) = &self.api {
            l.retain_recent();
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(Rates::default())
    }
}

fn check<K: Hash + Eq + Clone>(
    limiter: &Keyed<K>,
    key: &K,
    action: Action,
) -> Result<(), AppError> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    match limiter.check_key(key) {
        Ok(()) => Ok(()),
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Err(AppError::too_many(action_words(action), wait))
        }
    }
}

fn action_words(action: Action) -> &'static str {
    match action {
        Action::SignIn => "sign-in attempts",
        Action::SignUp => "new accounts from your address",
        Action::File => "reports filed",
        Action::Api => "API calls",
    }
}
