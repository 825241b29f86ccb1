/** Inline SVG icons (stroke = currentColor), so glyphs look the same on every platform. */
import type { SVGProps } from "react";

type P = SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 16, children, ...rest }: P) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export const Icon = {
  check: (p: P) => (
    <Svg {...p}>
      <path d="M3 8.5 6.5 12 13 4.5" />
    </Svg>
  ),
  cross: (p: P) => (
    <Svg {...p}>
      <path d="M4 4l8 8M12 4l-8 8" />
    </Svg>
  ),
  play: (p: P) => (
    <Svg {...p}>
      <path d="M5 3.5v9l7-4.5z" fill="currentColor" />
    </Svg>
  ),
  clock: (p: P) => (
    <Svg {...p}>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M8 5v3l2 1.5" />
    </Svg>
  ),
  hourglass: (p: P) => (
    <Svg {...p}>
      <path d="M4.5 2.5h7M4.5 13.5h7M5 2.5c0 3 6 4 6 5.5S5 10.5 5 13.5M11 2.5c0 3-6 4-6 5.5s6 2.5 6 5.5" />
    </Svg>
  ),
  retry: (p: P) => (
    <Svg {...p}>
      <path d="M13 8a5 5 0 1 1-1.5-3.5M13 2.5v3h-3" />
    </Svg>
  ),
  skip: (p: P) => (
    <Svg {...p}>
      <path d="M3 11c1-4 4-6 8-5M9 3.5 11.5 6 9 8.5" />
      <path d="M3 13.5h10" />
    </Svg>
  ),
  upstreamFailed: (p: P) => (
    <Svg {...p}>
      <path d="M8 13V4M4.5 7.5 8 4l3.5 3.5" />
      <path d="M3 13.5h10" />
    </Svg>
  ),
  minus: (p: P) => (
    <Svg {...p}>
      <path d="M4 8h8" />
    </Svg>
  ),
  dot: (p: P) => (
    <Svg {...p}>
      <circle cx="8" cy="8" r="1.6" fill="currentColor" stroke="none" />
    </Svg>
  ),
  search: (p: P) => (
    <Svg {...p}>
      <circle cx="7" cy="7" r="4.5" />
      <path d="M10.5 10.5 14 14" />
    </Svg>
  ),
  sun: (p: P) => (
    <Svg {...p}>
      <circle cx="8" cy="8" r="3" />
      <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" />
    </Svg>
  ),
  moon: (p: P) => (
    <Svg {...p}>
      <path d="M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7z" />
    </Svg>
  ),
  warn: (p: P) => (
    <Svg {...p}>
      <path d="M8 2 1.5 13.5h13z" />
      <path d="M8 6.5v3M8 11.5v.01" />
    </Svg>
  ),
  file: (p: P) => (
    <Svg {...p}>
      <path d="M4 1.5h5l3 3v10H4z" />
      <path d="M9 1.5v3h3" />
    </Svg>
  ),
  bolt: (p: P) => (
    <Svg {...p}>
      <path d="M9 1.5 3.5 9H8l-1 5.5L12.5 7H8z" />
    </Svg>
  ),
  close: (p: P) => (
    <Svg {...p}>
      <path d="M4 4l8 8M12 4l-8 8" />
    </Svg>
  ),
  chevronRight: (p: P) => (
    <Svg {...p}>
      <path d="M6 3.5 10.5 8 6 12.5" />
    </Svg>
  ),
  pause: (p: P) => (
    <Svg {...p}>
      <path d="M5.5 3.5v9M10.5 3.5v9" />
    </Svg>
  ),
  user: (p: P) => (
    <Svg {...p}>
      <circle cx="8" cy="5.5" r="3" />
      <path d="M2.5 14c.8-2.8 3-4 5.5-4s4.7 1.2 5.5 4" />
    </Svg>
  ),
  logout: (p: P) => (
    <Svg {...p}>
      <path d="M6 2.5H3v11h3M10.5 5 13.5 8l-3 3M13.5 8H6.5" />
    </Svg>
  ),
  dag: (p: P) => (
    <Svg {...p}>
      <circle cx="3.5" cy="8" r="2" />
      <circle cx="12.5" cy="3.5" r="2" />
      <circle cx="12.5" cy="12.5" r="2" />
      <path d="M5.3 7.1 10.7 4.4M5.3 8.9l5.4 2.7" />
    </Svg>
  ),
  calendar: (p: P) => (
    <Svg {...p}>
      <rect x="2.5" y="3.5" width="11" height="10" rx="1.5" />
      <path d="M2.5 6.5h11M5.5 2v3M10.5 2v3" />
    </Svg>
  ),
};
