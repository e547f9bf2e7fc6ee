/** localStorage key of the reader's theme choice ("light" | "dark"); read before first paint and by the toggle. */
export const THEME_KEY = "sgw:v1:theme";
