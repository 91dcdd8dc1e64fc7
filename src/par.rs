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
    match try_map_on::<_, _, std::convert::Infallible>(threads, items, |x| Ok(f(x))) {
        Ok(all) => all,
        Err(never) => match never {},
    }
}

/// `f` over `items` on `threads` threads, results in order; after an error
/// no more work is started, and the first error in item order is returned.
pub fn try_map_on<'a, T: Sync, R: Send, E: Send>(
    threads: usize,
    items: &'a [T],
    f: impl Fn(&'a T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    // Small chunks handed out in turn: a thread that is done early (or gets
    // less of a core) takes more, so all finish together.
    let threads = threads.max(1);
    let chunk = items.len().div_ceil(threads * 16).max(1);
    let chunks: Vec<&'a [T]> = items.chunks(chunk).collect();
    let (next, failed) = (AtomicUsize::new(0), AtomicBool::new(false));
    let (f, chunks, next, failed) = (&f, &chunks, &next, &failed);
    let mut done: Vec<(usize, Result<Vec<R>, E>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(chunks.len()))
            .map(|_| {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    while !failed.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(c) = chunks.get(i) else { break };
                        let result: Result<Vec<R>, E> = c.iter().map(f).collect();
                        failed.fetch_or(result.is_err(), Ordering::Relaxed);
                        mine.push((i, result));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(join).collect()
    });
    // Chunks are handed out in order: every one before the first failed
    // chunk was done.
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut all = Vec::with_capacity(items.len());
    for (_, result) in done {
        all.extend(result?);
    }
    Ok(all)
}

/// What a scoped thread returned; a panic in it (a bug) is passed on rather
/// than hidden.
pub fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
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

    #[test]
    fn the_first_error_in_item_order_is_returned() {
        let items: Vec<u32> = (0..1000).collect();
        let fail_from = |from: u32| {
            move |x: &u32| {
                if *x >= from && x.is_multiple_of(7) {
                    Err(*x)
                } else {
                    Ok(*x)
                }
            }
        };
        for threads in [1, 2, 16] {
            assert_eq!(super::try_map_on(threads, &items, fail_from(500)), Err(504));
            assert_eq!(
                super::try_map_on(threads, &items, fail_from(2000)),
                Ok(items.clone())
            );
        }
        assert_eq!(super::try_map_on(4, &items[..0], fail_from(0)), Ok(vec![]));
    }
}
