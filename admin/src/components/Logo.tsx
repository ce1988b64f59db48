/** The console's mark, inline so that no image is fetched from anywhere. */
export default function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" role="img" aria-label="信易贷">
      <rect width="32" height="32" rx="7" fill="#1677ff" />
      <text x="16" y="22.5" textAnchor="middle" fontSize="18" fontWeight="600" fill="#fff" fontFamily="sans-serif">
        信
      </text>
    </svg>
  );
}
