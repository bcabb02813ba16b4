import type { KeyboardEvent, ReactNode } from 'react';
import { Empty } from './ui';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly render: (row: T) => ReactNode;
  readonly align?: 'left' | 'right';
  /** Hidden on narrow screens. */
  readonly wide?: boolean;
}

/**
 * A table on wide screens; on a phone each row becomes a card with its labels (CSS, data-label).
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  empty,
  onRowClick,
  selected,
}: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty: string;
  onRowClick?: (row: T) => void;
  selected?: string | null;
}) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} className={`${column.align === 'right' ? 'num' : ''} ${column.wide ? 'wide' : ''}`}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                className={`${onRowClick ? 'clickable' : ''} ${selected === key ? 'selected' : ''}`}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                // A clickable row is reached by Tab and opened by Enter or Space, as a button is.
                {...(onRowClick
                  ? {
                      tabIndex: 0,
                      ...(selected === undefined ? {} : { 'aria-selected': selected === key }),
                      onKeyDown: (event: KeyboardEvent<HTMLTableRowElement>) => {
                        if (event.target !== event.currentTarget) return;
                        if (event.key !== 'Enter' && event.key !== ' ') return;
                        event.preventDefault();
                        onRowClick(row);
                      },
                    }
                  : {})}
              >
                {columns.map((column) => (
                  <td
                    key={column.key}
                    data-label={column.label}
                    className={`${column.align === 'right' ? 'num' : ''} ${column.wide ? 'wide' : ''}`}
                  >
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
