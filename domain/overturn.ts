/** Later judgments of a rung's findings. */

/** Judged and overturned findings of one rung and category. */
export interface OverturnCount {
  rung: string;
  category: string;
  judged: number;
  overturned: number;
}
