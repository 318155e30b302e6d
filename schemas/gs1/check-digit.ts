// GS1 mod-10 check digit (GS1 General Specifications §7.9.1), shared by GTIN, SSCC, GLN and EPC conversions.

/** The check digit for a string of digits that does not yet carry one. Input must be all ASCII digits. */
export function computeCheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  // Weights alternate 3,1,3,… starting from the rightmost digit.
  for (let i = digitsWithoutCheck.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (digitsWithoutCheck.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of an all-digit string is its correct GS1 check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  if (digits.length < 2 || !/^[0-9]+$/.test(digits)) return false;
  return computeCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}
