/** The error code that ends a `moments.live` subscription whose resume position cannot be recovered. */
export const RESUME_LOST_CODE = "NOT_FOUND";
