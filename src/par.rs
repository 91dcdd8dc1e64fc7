//! Data parallelism for the independent parts of the pipeline (parsing
//! files, rendering events and feeds, staging output files). Results come
//! back in input order, so the output never depends on the number of cores.

/// `f` over `items` on every core, in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_from(items, 64, f)
}

/// [`map`], in parallel only from `min_items` items (threads cost more than
/// small work).
pub fn map_from<T: Sync, R: Send>(
    items: &[T],
    min_items: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || items.len() < min_items {
        return items.iter().map(&f).collect();
    }
    // Small chunks handed out in turn: a thread that is done early (or gets
    // less of a core) takes more, so all finish together.
    let chunk = items.len().div_ceil(threads * 16).max(1);
    let chunks: Vec<&[T]> = items.chunks(chunk).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (f, chunks, next) = (&f, &chunks, &next);
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(c) = chunks.get(i) else { break mine };
                        mine.push((i, c.iter().map(f).collect::<Vec<R>>()));
                    }
                })
            })
            .collect();
        // A panic in a worker is a bug; pass it on rather than hide it.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn map_keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map_from(&items[..3], 1, |x| x + 1), [1, 2, 3]);
    }
}
