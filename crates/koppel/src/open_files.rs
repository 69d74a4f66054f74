//! The open-file limit. Every connection (to AFAS, to a shop's MplusKASSA, to the database, from a browser) is
//! a file descriptor, and many systems start a process with a soft limit of 1,024 while allowing far more
//! (systemd: 1,024 soft, 524,288 hard). `koppel serve` and `koppel worker` raise the soft limit to the hard one
//! at start, as Go's runtime does for every Go program, so a worker serving many shops does not run out.

/// Raises the soft limit on open files to the hard limit, and says what it is.
pub fn raise_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(error) => tracing::warn!(%error, "the open-file limit could not be raised"),
    }
}

#[cfg(test)]
mod tests {
    use rlimit::Resource;

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let (_, hard) = Resource::NOFILE.get().unwrap();
        Resource::NOFILE.set(hard.min(512), hard).unwrap();
        super::raise_limit();
        assert_eq!(Resource::NOFILE.get().unwrap(), (hard, hard));
    }
}
