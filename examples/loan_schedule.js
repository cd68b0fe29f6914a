// Amortization schedule of a fixed-rate loan: pure computation, parameters with defaults,
// a summary plus the first and last rows (not the whole table: results are for summaries).
//   analysis-sandbox run examples/loan_schedule.js --params @examples/params/loan_schedule.json
export default {
    title: "Loan amortization schedule",

    dependencies: { datasources: [], analyses: [] },

    parameters: {
        principal: {
            type: "number",
            required: false,
            default: 200000,
            min: 1,
            description: "Amount borrowed",
        },
        annual_rate_percent: {
            type: "number",
            required: false,
            default: 5,
            min: 0,
            max: 100,
            description: "Nominal yearly interest rate, in percent",
        },
        months: {
            type: "number",
            required: false,
            default: 360,
            min: 1,
            max: 1200,
            description: "Number of monthly payments",
        },
        rows: {
            type: "number",
            required: false,
            default: 3,
            min: 0,
            max: 60,
            description: "How many rows of the schedule to return from each end",
        },
    },

    run(ctx, params) {
        const principal = Number(params.principal ?? 200000);
        const annualRate = Number(params.annual_rate_percent ?? 5);
        const months = Math.trunc(Number(params.months ?? 360));
        const rows = Math.trunc(Number(params.rows ?? 3));
        if (!(principal > 0) || !(annualRate >= 0) || !(months >= 1) || !(rows >= 0)) {
            throw new RangeError(
                `invalid loan: principal=${principal}, annual_rate_percent=${annualRate}, months=${months}, rows=${rows}`);
        }

        const monthlyRate = annualRate / 100 / 12;
        const payment = monthlyRate === 0
            ? principal / months
            : principal * monthlyRate / (1 - Math.pow(1 + monthlyRate, -months));
        ctx.log(`payment of ${round2(payment)} per month for ${months} months`);

        const schedule = [];
        let balance = principal;
        let totalInterest = 0;
        for (let month = 1; month <= months; month++) {
            const interest = balance * monthlyRate;
            // The last payment clears whatever rounding left over.
            const principalPart = month === months ? balance : payment - interest;
            balance -= principalPart;
            totalInterest += interest;
            schedule.push({
                month,
                payment: round2(principalPart + interest),
                interest: round2(interest),
                principal: round2(principalPart),
                balance: round2(Math.max(balance, 0)),
            });
        }

        const halfPaid = schedule.find(row => row.balance <= principal / 2);
        return {
            summary: {
                principal,
                annual_rate_percent: annualRate,
                months,
                monthly_payment: round2(payment),
                total_paid: round2(principal + totalInterest),
                total_interest: round2(totalInterest),
                half_paid_after_month: halfPaid ? halfPaid.month : null,
            },
            first_rows: schedule.slice(0, rows),
            last_rows: rows > 0 ? schedule.slice(-rows) : [],
        };
    },
};

function round2(x) {
    return Math.round(x * 100) / 100;
}
