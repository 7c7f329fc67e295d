/** BES / RRS execution surface constants (contract §2, §3). */
export const BES_API_VERSION = "2.0";
