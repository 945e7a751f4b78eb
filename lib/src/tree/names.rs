//! Names and URIs interned during a parse, each with what is known of it
//! as a qualified name (checked once, its local part and prefix, whether it
//! is a process or a task kind), and the recent-name cache that spares most
//! lookups a hash.

use std::hash::BuildHasher;

use super::{narrow, NONE};
use crate::ns::TASK_KINDS;

/// What is known of an interned qualified name, worked out the first time
/// it is seen as one.
#[derive(Debug, Clone, Copy)]
pub(super) struct QInfo {
    /// Checked as an XML qualified name.
    checked: bool,
    /// The id of its local part.
    pub(super) local: u32,
    /// The id of its prefix; `NONE` for none.
    pub(super) prefix: u32,
    /// Its local part is `process`.
    pub(super) process: bool,
    /// Its local part is a task kind.
    pub(super) task: bool,
}

/// Interns names and URIs during a parse. A document repeats a few dozen
/// names hundreds of thousands of times, so a fast hash pays.
pub(super) struct Names {
    pub(super) list: Vec<Box<str>>,
    /// The ids of `list`, found by their names' hashes: a table of ids
    /// rather than a map from names, so that each name is held (and
    /// allocated) once, in `list`. A document of a few kilobytes meets a
    /// few dozen names, and an export holds thousands of such documents.
    ids: hashbrown::HashTable<u32>,
    /// What is known of each name used as a qualified name.
    info: Vec<QInfo>,
    /// Ids of qualified names met lately, at a slot picked by their length
    /// and end bytes ([`recent_slot`]): a hit, confirmed by comparing the
    /// name, skips hashing. A document's few dozen names mostly each keep a
    /// slot, so most lookups hit.
    recent: [u32; RECENT],
    /// For each id, the start tag ([`Names::tag`]) that last gave an
    /// attribute of that qualified name: a name given twice in one tag is
    /// found in constant time, however many attributes the tag has.
    seen: Vec<u32>,
    /// The current start tag's number, from 1; 0 in `seen` is "never".
    tag: u32,
}

/// Names a table has room for from the start: about what a BPMN document
/// uses, so that a small one's table never grows.
const ROOM: usize = 64;

/// The hash of a name in [`Names::ids`].
fn hash(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s)
}

/// Slots in [`Names::recent`] (a power of two).
const RECENT: usize = 128;

/// The slot of `s` in [`Names::recent`]. Not a hash of the whole name: the
/// length and the first two and the last bytes tell a document's names
/// apart well enough, at the cost of three loads.
fn recent_slot(s: &[u8]) -> usize {
    let n = s.len();
    let byte = |i: usize| s.get(i).map_or(0, |&b| usize::from(b));
    (n.wrapping_mul(97) ^ byte(0) ^ byte(1).wrapping_mul(7) ^ byte(n.wrapping_sub(1)).wrapping_mul(31)) & (RECENT - 1)
}

impl Default for Names {
    fn default() -> Names {
        Names {
            list: Vec::with_capacity(ROOM),
            ids: hashbrown::HashTable::with_capacity(ROOM),
            info: Vec::with_capacity(ROOM),
            recent: [NONE; RECENT],
            seen: Vec::new(),
            tag: 0,
        }
    }
}

impl Names {
    pub(super) fn id(&mut self, s: &str) -> u32 {
        let h = hash(s);
        let list = &self.list;
        let named = |id: &u32| list.get(*id as usize).is_some_and(|n| **n == *s);
        if let Some(&id) = self.ids.find(h, named) {
            return id;
        }
        let id = narrow(self.list.len());
        self.list.push(s.into());
        self.info.push(QInfo {
            checked: false,
            local: NONE,
            prefix: NONE,
            process: false,
            task: false,
        });
        let list = &self.list;
        self.ids
            .insert_unique(h, id, |id| hash(list.get(*id as usize).map_or("", |n| n)));
        id
    }

    /// The element or attribute name `s`, checked as a qualified name the
    /// first time it is seen: its id and what it is. A name in its slot of
    /// [`Names::recent`] is found there; any other is looked up and takes
    /// the slot.
    pub(super) fn qname(&mut self, s: &str) -> Result<(u32, QInfo), ()> {
        let slot = recent_slot(s.as_bytes());
        let cached = self.recent.get(slot).copied().unwrap_or(NONE);
        if let (Some(name), Some(info)) = (self.list.get(cached as usize), self.info.get(cached as usize)) {
            if info.checked && **name == *s {
                return Ok((cached, *info));
            }
        }
        let (id, info) = self.look_up_qname(s)?;
        if let Some(r) = self.recent.get_mut(slot) {
            *r = id;
        }
        Ok((id, info))
    }

    /// [`Names::qname`] from the table, without the cache.
    fn look_up_qname(&mut self, s: &str) -> Result<(u32, QInfo), ()> {
        let id = self.id(s);
        let info = *self.info.get(id as usize).ok_or(())?;
        if info.checked {
            return Ok((id, info));
        }
        if !crate::xmlname::is_qname(s) {
            return Err(());
        }
        let (prefix, local) = s.split_once(':').map_or((None, s), |(p, l)| (Some(p), l));
        let info = QInfo {
            checked: true,
            local: self.id(local),
            prefix: prefix.map_or(NONE, |p| self.id(p)),
            process: local == "process",
            task: TASK_KINDS.contains(&local),
        };
        if let Some(slot) = self.info.get_mut(id as usize) {
            *slot = info;
        }
        Ok((id, info))
    }

    /// Starts a new start tag for [`Names::again`].
    pub(super) fn next_tag(&mut self) {
        self.tag = self.tag.wrapping_add(1);
        if self.tag == 0 {
            // After 4 billion tags: "never" again for every name.
            self.seen.iter_mut().for_each(|t| *t = 0);
            self.tag = 1;
        }
    }

    /// Whether the current start tag gave an attribute named `id` before;
    /// notes that it gives one now.
    pub(super) fn again(&mut self, id: u32) -> bool {
        let i = id as usize;
        if self.seen.len() <= i {
            self.seen.resize(self.list.len().max(i + 1), 0);
        }
        match self.seen.get_mut(i) {
            Some(t) if *t == self.tag => true,
            Some(t) => {
                *t = self.tag;
                false
            }
            None => false,
        }
    }

    /// The id of the local part of the qualified name `id`.
    pub(super) fn local(&self, id: u32) -> u32 {
        self.info.get(id as usize).map_or(NONE, |i| i.local)
    }

    /// The id of the prefix of the qualified name `id` (`NONE` for none).
    pub(super) fn prefix(&self, id: u32) -> u32 {
        self.info.get(id as usize).map_or(NONE, |i| i.prefix)
    }

    /// The text of the name `id`.
    pub(super) fn text(&self, id: u32) -> &str {
        self.list.get(id as usize).map_or("", |s| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_share_a_recent_slot_keep_their_own_ids() {
        let all: Vec<String> = (0..400).map(|i| format!("n{i}")).collect();
        let (a, b) = all
            .iter()
            .enumerate()
            .find_map(|(i, a)| {
                let b = all
                    .iter()
                    .skip(i + 1)
                    .find(|b| recent_slot(b.as_bytes()) == recent_slot(a.as_bytes()))?;
                Some((a, b))
            })
            .unwrap();
        let mut names = Names::default();
        let (ia, ib) = (names.qname(a).unwrap().0, names.qname(b).unwrap().0);
        assert_ne!(ia, ib);
        for _ in 0..3 {
            assert_eq!(names.qname(a).unwrap().0, ia);
            assert_eq!(names.qname(b).unwrap().0, ib);
            assert_eq!(names.id(a), ia);
        }
        assert_eq!(names.list.get(ia as usize).map(|s| &**s), Some(a.as_str()));
        // A cached name is still one that was checked.
        assert!(names.qname("1bad").is_err());
        assert!(names.qname("1bad").is_err());
    }

    #[test]
    fn a_name_is_given_again_only_within_one_tag() {
        let mut names = Names::default();
        let id = names.id("x");
        names.next_tag();
        assert!(!names.again(id));
        assert!(names.again(id));
        names.next_tag();
        assert!(!names.again(id));
        // The tag count wraps to "never" for every name.
        names.tag = u32::MAX;
        assert!(!names.again(id));
        names.next_tag();
        assert_eq!(names.tag, 1);
        assert!(!names.again(id));
        assert!(names.again(id));
    }
}
