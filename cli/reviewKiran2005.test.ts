/** The 2005 review in numbers (kiran-2005-01 -> kiran-2005-09): see reviewKiran2005Suite.ts. */
import "./reviewKiran2005Suite.ts";
