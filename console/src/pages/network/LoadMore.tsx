import { useEffect, useRef } from 'react';

/**
 * The end of a list read page by page: fetches the next page by itself when it comes near the
 * visible part of its scrolling box (so scrolling through a long downline just keeps going), and
 * is a button for a click or the keyboard too. Shown only while there is more.
 */
export function LoadMore({ label, loading, onMore }: { label: string; loading: boolean; onMore: () => void }) {
  const button = useRef<HTMLButtonElement>(null);
  const latest = useRef(onMore);
  latest.current = onMore;
  useEffect(() => {
    const element = button.current;
    if (loading || !element || typeof IntersectionObserver === 'undefined') return;
    // Observed afresh after each page: a new observer reports at once whether the end is still
    // near (a short page leaves it in view), which an old one would not report again.
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && latest.current(), {
      root: scrollingAncestor(element),
      rootMargin: '0px 0px 400px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [loading]);
  return (
    <li className="load-more">
      <button ref={button} type="button" className="ghost small" disabled={loading} onClick={onMore}>
        {label}
      </button>
    </li>
  );
}

/** The nearest ancestor that scrolls vertically (null: the page itself). */
function scrollingAncestor(element: HTMLElement): HTMLElement | null {
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(parent).overflowY)) return parent;
  }
  return null;
}
