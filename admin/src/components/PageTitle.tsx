/** A page's heading, with a stable hook for browser tests. */
export default function PageTitle({ children }: { children: string }) {
  return (
    <span role="heading" aria-level={1} data-testid="page-title">
      {children}
    </span>
  );
}
