// The credit-data job types, defined at load (like routes) so the API process and the workers agree on them.
import './imports';
import './records';
import './quality';
import './retention';
