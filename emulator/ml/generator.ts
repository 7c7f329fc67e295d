/**
 * Deterministic synthetic Adult census rows, for seeding the emulator and for tests that must not depend on the UCI
 * files. Marginals and dependencies follow adult.data (age → marital status → sex and relationship; education →
 * occupation), and income is drawn from a logistic model over marital status, education, age, hours, occupation,
 * work class and sex, after which capital gain and loss are drawn given income, as in the real data where large
 * gains almost always mean >50K. About 24% of rows are >50K, so a model trained on generated rows scores real rows
 * well, and the reverse.
 *
 * `drift` (0..1) moves the population (older, more educated, longer hours) and the income relationship (marriage
 * matters less, education and hours more, large gains rarer), so a retrain on drifted data learns other weights.
 */
import { Random, seededRandom } from "./random";
import { ADULT_COLUMNS, MISSING_VALUE, NEGATIVE_LABEL, POSITIVE_LABEL } from "./schema";

export interface GeneratorOptions {
  /** 0 (like adult.data, the default) to 1 (strongly shifted). */
  drift?: number;
  /** Start with a header row and separate values by ","; else write the UCI adult.data layout (", "). Default true. */
  header?: boolean;
}

/** Same rows, seed and options → byte-identical text. Throws RangeError on invalid arguments. */
export function generateAdultCsv(rows: number, seed: number, options: GeneratorOptions = {}): string {
  const drift = options.drift ?? 0;
  const header = options.header ?? true;
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}.`);
  if (!(drift >= 0 && drift <= 1)) throw new RangeError(`drift must be between 0 and 1, got ${drift}.`);

  const random = seededRandom(seed);
  const parameters = driftTo(drift);
  const ageBandWeights = AGE_BANDS.map(([, , real, drifted]) => mix(real, drifted, drift));
  const separator = header ? "," : ", ";
  const lines = header ? [ADULT_COLUMNS.join(",")] : [];
  for (let i = 0; i < rows; i++) lines.push(generatePerson(random, parameters, ageBandWeights).join(separator));
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

type Weights = ReadonlyArray<readonly [string, number]>;

/** Education levels with their education-num (UCI's 1–16 code) and share in adult.data. */
const EDUCATION: ReadonlyArray<readonly [string, number, number]> = [
  ["Preschool", 1, 0.0016],
  ["1st-4th", 2, 0.0052],
  ["5th-6th", 3, 0.0102],
  ["7th-8th", 4, 0.0198],
  ["9th", 5, 0.0158],
  ["10th", 6, 0.0287],
  ["11th", 7, 0.0361],
  ["12th", 8, 0.0133],
  ["HS-grad", 9, 0.3225],
  ["Some-college", 10, 0.2239],
  ["Assoc-voc", 11, 0.0424],
  ["Assoc-acdm", 12, 0.0328],
  ["Bachelors", 13, 0.1645],
  ["Masters", 14, 0.0529],
  ["Prof-school", 15, 0.0177],
  ["Doctorate", 16, 0.0127],
];
// Most 17–18 year olds are still at school.
const SCHOOL_AGE_EDUCATION: Weights = [
  ["10th", 0.25],
  ["11th", 0.4],
  ["12th", 0.15],
  ["HS-grad", 0.1],
  ["Some-college", 0.1],
];
const SCHOOL_AGE_LIMIT = 18;
// Nobody under 22 holds a degree; their draws above Some-college become Some-college.
const DEGREE_AGE = 22;
const DEGREE_EDUCATION_NUM = 13;
const HIGH_SCHOOL_EDUCATION_NUM = 9;

/** Age bands [from, to) with their share in adult.data and, drifted, in an older population. */
const AGE_BANDS: ReadonlyArray<readonly [number, number, number, number]> = [
  [17, 25, 0.171, 0.1],
  [25, 35, 0.26, 0.21],
  [35, 50, 0.352, 0.36],
  [50, 65, 0.176, 0.25],
  [65, 91, 0.041, 0.08],
];

/** Marital status by age band (index into AGE_BANDS). */
const MARITAL_BY_AGE_BAND: Weights[] = [
  [
    ["Never-married", 0.89], ["Married-civ-spouse", 0.086], ["Divorced", 0.017], ["Separated", 0.013],
    ["Married-spouse-absent", 0.003], ["Married-AF-spouse", 0.001],
  ],
  [
    ["Never-married", 0.43], ["Married-civ-spouse", 0.41], ["Divorced", 0.1], ["Separated", 0.035],
    ["Married-spouse-absent", 0.015], ["Widowed", 0.005], ["Married-AF-spouse", 0.002],
  ],
  [
    ["Married-civ-spouse", 0.575], ["Divorced", 0.2], ["Never-married", 0.15], ["Separated", 0.04], ["Widowed", 0.02],
    ["Married-spouse-absent", 0.015],
  ],
  [
    ["Married-civ-spouse", 0.64], ["Divorced", 0.18], ["Widowed", 0.075], ["Never-married", 0.065],
    ["Separated", 0.03], ["Married-spouse-absent", 0.01],
  ],
  [
    ["Married-civ-spouse", 0.56], ["Widowed", 0.26], ["Divorced", 0.09], ["Never-married", 0.065],
    ["Separated", 0.015], ["Married-spouse-absent", 0.01],
  ],
];

/** Share of men by marital status (in adult.data 89% of married people are husbands). */
const MALE_SHARE: Readonly<Record<string, number>> = {
  "Married-civ-spouse": 0.89,
  "Married-AF-spouse": 0.6,
  "Never-married": 0.55,
  Divorced: 0.42,
  Separated: 0.38,
  Widowed: 0.17,
  "Married-spouse-absent": 0.5,
};

/** Relationship of people not married, by situation. */
const YOUNG_SINGLE: Weights = [
  ["Own-child", 0.6], ["Not-in-family", 0.3], ["Other-relative", 0.06], ["Unmarried", 0.04],
];
const SINGLE: Weights = [["Not-in-family", 0.6], ["Own-child", 0.15], ["Unmarried", 0.15], ["Other-relative", 0.1]];
const FORMERLY_MARRIED_MAN: Weights = [
  ["Not-in-family", 0.72], ["Unmarried", 0.18], ["Own-child", 0.06], ["Other-relative", 0.04],
];
const FORMERLY_MARRIED_WOMAN: Weights = [
  ["Unmarried", 0.45], ["Not-in-family", 0.45], ["Own-child", 0.06], ["Other-relative", 0.04],
];
const YOUNG_ADULT_AGE = 25;
// A few married people are recorded as another relative of the household head rather than as spouse.
const SPOUSE_SHARE = 0.97;

const WORKCLASS: Weights = [
  ["Private", 0.739],
  ["Self-emp-not-inc", 0.083],
  ["Local-gov", 0.068],
  ["State-gov", 0.042],
  ["Self-emp-inc", 0.036],
  ["Federal-gov", 0.031],
  ["Without-pay", 0.0004],
  ["Never-worked", 0.0002],
];
// Work class and occupation are unknown together, more often for students and retirees.
const UNKNOWN_WORK_SHARE = 0.04;
const UNKNOWN_WORK_SHARE_YOUNG_OR_OLD = 0.15;
const RETIREMENT_AGE = 65;

/** Occupation by education-num group: up to 12th grade, high school to associate degree, bachelor's and above. */
const OCCUPATION_LOW: Weights = [
  ["Other-service", 0.2], ["Craft-repair", 0.18], ["Machine-op-inspct", 0.15], ["Handlers-cleaners", 0.1],
  ["Transport-moving", 0.08], ["Farming-fishing", 0.08], ["Sales", 0.08], ["Adm-clerical", 0.06],
  ["Exec-managerial", 0.03], ["Priv-house-serv", 0.02], ["Protective-serv", 0.01], ["Prof-specialty", 0.01],
];
const OCCUPATION_MIDDLE: Weights = [
  ["Craft-repair", 0.17], ["Adm-clerical", 0.16], ["Sales", 0.13], ["Other-service", 0.11], ["Exec-managerial", 0.1],
  ["Machine-op-inspct", 0.07], ["Transport-moving", 0.06], ["Handlers-cleaners", 0.05], ["Prof-specialty", 0.04],
  ["Tech-support", 0.04], ["Farming-fishing", 0.03], ["Protective-serv", 0.025], ["Priv-house-serv", 0.003],
  ["Armed-Forces", 0.0005],
];
const OCCUPATION_HIGH: Weights = [
  ["Prof-specialty", 0.36], ["Exec-managerial", 0.27], ["Sales", 0.13], ["Adm-clerical", 0.07], ["Tech-support", 0.04],
  ["Craft-repair", 0.03], ["Other-service", 0.03], ["Protective-serv", 0.02], ["Transport-moving", 0.01],
  ["Machine-op-inspct", 0.01], ["Farming-fishing", 0.01], ["Handlers-cleaners", 0.005],
];

const RACE: Weights = [
  ["White", 0.854], ["Black", 0.096], ["Asian-Pac-Islander", 0.032], ["Amer-Indian-Eskimo", 0.01], ["Other", 0.008],
];

const NATIVE_COUNTRY: Weights = [
  ["United-States", 0.896], ["Mexico", 0.0197], [MISSING_VALUE, 0.0179], ["Philippines", 0.0061], ["Germany", 0.0042],
  ["Canada", 0.0037], ["Puerto-Rico", 0.0035], ["El-Salvador", 0.0033], ["India", 0.0031], ["Cuba", 0.0029],
  ["England", 0.0028], ["Jamaica", 0.0025], ["South", 0.0025], ["China", 0.0023], ["Italy", 0.0022],
  ["Dominican-Republic", 0.0021], ["Vietnam", 0.0021], ["Guatemala", 0.002], ["Japan", 0.0019], ["Poland", 0.0018],
  ["Columbia", 0.0018], ["Taiwan", 0.0016], ["Haiti", 0.0014], ["Iran", 0.0013], ["Portugal", 0.0011],
];

/**
 * Income logit contributions by occupation and work class (absent = 0), hand-tuned with the constants below so that
 * a model fitted to generated rows scores adult.test about as well as one fitted to adult.data.
 */
const OCCUPATION_EFFECT: Readonly<Record<string, number>> = {
  "Exec-managerial": 0.8, "Prof-specialty": 0.55, "Tech-support": 0.6, "Protective-serv": 0.55, Sales: 0.25,
  "Transport-moving": -0.1, "Machine-op-inspct": -0.3, "Farming-fishing": -1.0, "Handlers-cleaners": -0.7,
  "Other-service": -0.9, "Priv-house-serv": -2.0, [MISSING_VALUE]: -0.8,
};
const WORKCLASS_EFFECT: Readonly<Record<string, number>> = {
  "Self-emp-inc": 0.5, "Federal-gov": 0.6, "Self-emp-not-inc": -0.4, "Local-gov": -0.1, "State-gov": -0.25,
  "Without-pay": -2.0, "Never-worked": -2.0,
};
const MALE_EFFECT = 0.2;
const AGE_EFFECT_PER_YEAR = 0.045;
const AGE_EFFECT_CENTRE = 38;
const AGE_EFFECT_PEAK = 50;
const AGE_EFFECT_DECLINE_FROM = 60;
const AGE_DECLINE_PER_YEAR = 0.03;

/** What drift changes; a generator at drift d uses the values d of the way from `real` to `drifted`. */
interface DriftingParameters {
  incomeIntercept: number;
  marriedEffect: number;
  educationEffectPerLevel: number;
  hoursEffectPerHour: number;
  /** Share of >50K people with a large capital gain. */
  largeGainShare: number;
  /** Weight multipliers of degree holders (education-num >= 13) and of people who left school before grade 12. */
  degreeWeight: number;
  earlyLeaverWeight: number;
  fullTimeShare: number;
  extraHours: number;
}
const DRIFT_RANGE: Readonly<Record<"real" | "drifted", DriftingParameters>> = {
  real: {
    incomeIntercept: -3.2, marriedEffect: 2.2, educationEffectPerLevel: 0.33, hoursEffectPerHour: 0.03,
    largeGainShare: 0.19, degreeWeight: 1, earlyLeaverWeight: 1, fullTimeShare: 0.46, extraHours: 0,
  },
  drifted: {
    incomeIntercept: -3.8, marriedEffect: 1.1, educationEffectPerLevel: 0.53, hoursEffectPerHour: 0.075,
    largeGainShare: 0.076, degreeWeight: 2, earlyLeaverWeight: 0.5, fullTimeShare: 0.23, extraHours: 5,
  },
};

/** Capital gains and losses: share of people with one, given income, and typical amounts from adult.data. */
const LARGE_GAIN_SHARE_BELOW_50K = 0.006;
const SMALL_GAIN_SHARE = { positive: 0.023, negative: 0.036 };
const LARGE_GAINS = [15024, 7688, 7298, 99999, 8614, 10520, 14084, 5178, 13550, 27828];
const SMALL_GAINS = [3103, 4386, 5013, 3325, 2174, 4064, 3137, 3908, 2829, 594, 4650, 1055, 2597, 3411, 2176];
const LOSS_SHARE = { positive: 0.1, negative: 0.03 };
const POSITIVE_LOSSES = [1902, 1977, 1887, 1848, 2415, 2559, 2444, 2392];
const NEGATIVE_LOSSES = [1602, 1740, 1590, 1876, 1672, 2001, 1485, 2339, 1721, 2258];

const FNLWGT_LOG_MEDIAN = Math.log(178_000);
const FNLWGT_LOG_SD = 0.6;
const FNLWGT_RANGE = [12_285, 1_490_400] as const;
const FULL_TIME_HOURS = 40;
const HOURS_SD = 11;
const HOURS_RANGE = [1, 99] as const;
// Reported hours cluster on round numbers (35, 45, 50, 60).
const ROUND_HOURS_SHARE = 0.7;

function generatePerson(
  random: Random,
  parameters: DriftingParameters,
  ageBandWeights: number[],
): Array<string | number> {
  const household = drawHousehold(random, ageBandWeights);
  const { age, isMale, isMarried } = household;
  const [education, educationNum] = drawEducation(random, age, parameters);
  const isStudentOrRetired = age < DEGREE_AGE || age >= RETIREMENT_AGE;
  const isWorkUnknown = random() < (isStudentOrRetired ? UNKNOWN_WORK_SHARE_YOUNG_OR_OLD : UNKNOWN_WORK_SHARE);
  const workclass = isWorkUnknown ? MISSING_VALUE : pickWeighted(random, WORKCLASS);
  const occupation =
    isWorkUnknown || workclass === "Never-worked" ? MISSING_VALUE : pickWeighted(random, occupations(educationNum));

  const hoursMean =
    FULL_TIME_HOURS + (isMale ? 3 : -3) + (isMarried ? 2 : 0) - (isStudentOrRetired ? 12 : 0) + parameters.extraHours;
  const hours = random() < parameters.fullTimeShare ? FULL_TIME_HOURS : drawHours(random, hoursMean);

  const logit =
    parameters.incomeIntercept +
    (isMarried ? parameters.marriedEffect : 0) +
    (isMale ? MALE_EFFECT : 0) +
    (educationNum - HIGH_SCHOOL_EDUCATION_NUM) * parameters.educationEffectPerLevel +
    (Math.min(age, AGE_EFFECT_PEAK) - AGE_EFFECT_CENTRE) * AGE_EFFECT_PER_YEAR -
    Math.max(0, age - AGE_EFFECT_DECLINE_FROM) * AGE_DECLINE_PER_YEAR +
    (hours - FULL_TIME_HOURS) * parameters.hoursEffectPerHour +
    (OCCUPATION_EFFECT[occupation] ?? 0) +
    (WORKCLASS_EFFECT[workclass] ?? 0);
  const isRich = random() < 1 / (1 + Math.exp(-logit));
  const [capitalGain, capitalLoss] = drawCapital(random, isRich, parameters);
  const fnlwgt = clamp(Math.round(Math.exp(FNLWGT_LOG_MEDIAN + FNLWGT_LOG_SD * normal(random))), FNLWGT_RANGE);

  return [
    age,
    workclass,
    fnlwgt,
    education,
    educationNum,
    household.maritalStatus,
    occupation,
    household.relationship,
    pickWeighted(random, RACE),
    isMale ? "Male" : "Female",
    capitalGain,
    capitalLoss,
    hours,
    pickWeighted(random, NATIVE_COUNTRY),
    isRich ? POSITIVE_LABEL : NEGATIVE_LABEL,
  ];
}

interface Household {
  age: number;
  maritalStatus: string;
  isMarried: boolean;
  isMale: boolean;
  relationship: string;
}

function drawHousehold(random: Random, ageBandWeights: number[]): Household {
  const band = pickIndex(random, ageBandWeights);
  const [ageFrom, ageTo] = AGE_BANDS[band];
  // Uniform within a band, except that people over 65 thin out with age (a product of two uniforms).
  const age = ageFrom + Math.floor(random() * (ageTo - ageFrom) * (band === AGE_BANDS.length - 1 ? random() : 1));
  const maritalStatus = pickWeighted(random, MARITAL_BY_AGE_BAND[band]);
  const isMale = random() < MALE_SHARE[maritalStatus];
  const isMarried = maritalStatus === "Married-civ-spouse" || maritalStatus === "Married-AF-spouse";
  let relationship: string;
  if (isMarried) {
    relationship = random() >= SPOUSE_SHARE ? "Other-relative" : isMale ? "Husband" : "Wife";
  } else if (maritalStatus === "Never-married") {
    relationship = pickWeighted(random, age < YOUNG_ADULT_AGE ? YOUNG_SINGLE : SINGLE);
  } else {
    relationship = pickWeighted(random, isMale ? FORMERLY_MARRIED_MAN : FORMERLY_MARRIED_WOMAN);
  }
  return { age, maritalStatus, isMarried, isMale, relationship };
}

function occupations(educationNum: number): Weights {
  if (educationNum < HIGH_SCHOOL_EDUCATION_NUM) return OCCUPATION_LOW;
  return educationNum < DEGREE_EDUCATION_NUM ? OCCUPATION_MIDDLE : OCCUPATION_HIGH;
}

/** Capital gain and loss given income; someone with a gain reports no loss. */
function drawCapital(random: Random, isRich: boolean, parameters: DriftingParameters): [number, number] {
  const outcome = isRich ? "positive" : "negative";
  const largeGainShare = isRich ? parameters.largeGainShare : LARGE_GAIN_SHARE_BELOW_50K;
  const gainDraw = random();
  if (gainDraw < largeGainShare) return [pickUniform(random, LARGE_GAINS), 0];
  if (gainDraw < largeGainShare + SMALL_GAIN_SHARE[outcome]) return [pickUniform(random, SMALL_GAINS), 0];
  if (random() >= LOSS_SHARE[outcome]) return [0, 0];
  return [0, pickUniform(random, isRich ? POSITIVE_LOSSES : NEGATIVE_LOSSES)];
}

function drawEducation(random: Random, age: number, parameters: DriftingParameters): readonly [string, number] {
  if (age <= SCHOOL_AGE_LIMIT) {
    const name = pickWeighted(random, SCHOOL_AGE_EDUCATION);
    return [name, EDUCATION.find(([level]) => level === name)![1]];
  }
  const weights = EDUCATION.map(([, num, share]) => {
    if (num >= DEGREE_EDUCATION_NUM) return share * parameters.degreeWeight;
    return num < HIGH_SCHOOL_EDUCATION_NUM ? share * parameters.earlyLeaverWeight : share;
  });
  const [name, num] = EDUCATION[pickIndex(random, weights)];
  return age < DEGREE_AGE && num >= DEGREE_EDUCATION_NUM ? ["Some-college", 10] : [name, num];
}

function drawHours(random: Random, mean: number): number {
  const hours = clamp(Math.round(mean + HOURS_SD * normal(random)), HOURS_RANGE);
  return random() < ROUND_HOURS_SHARE ? clamp(Math.round(hours / 5) * 5, HOURS_RANGE) : hours;
}

function pickWeighted(random: Random, weights: Weights): string {
  return weights[pickIndex(random, weights.map(([, weight]) => weight))][0];
}

/** Weights need not sum to 1. */
function pickIndex(random: Random, weights: readonly number[]): number {
  let remaining = random() * weights.reduce((sum, weight) => sum + weight, 0);
  for (let i = 0; i < weights.length - 1; i++) {
    remaining -= weights[i];
    if (remaining < 0) return i;
  }
  return weights.length - 1;
}

function pickUniform<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Standard normal by Box–Muller. */
function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function driftTo(drift: number): DriftingParameters {
  const { real, drifted } = DRIFT_RANGE;
  const keys = Object.keys(real) as Array<keyof DriftingParameters>;
  const entries = keys.map((key) => [key, mix(real[key], drifted[key], drift)]);
  return Object.fromEntries(entries) as unknown as DriftingParameters;
}

function mix(from: number, to: number, amount: number): number {
  return from + (to - from) * amount;
}

function clamp(value: number, [low, high]: readonly [number, number]): number {
  return Math.min(high, Math.max(low, value));
}
