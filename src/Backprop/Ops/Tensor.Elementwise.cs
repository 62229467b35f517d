using System.Numerics.Tensors;
using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>log(1 + x) for every element, accurate for small x.</summary>
    /// <returns>The result.</returns>
    public Tensor Log1p() => Unary("Log1p", (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = (float)Log1pDouble(x[i]);
        }
    }, (x, y, g, d) =>
    {
        // log1p'(x) = 1 / (1 + x)
        TensorPrimitives.Add(x, 1f, d);
        TensorPrimitives.Divide(g, d, d);
    }, static (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = Log1pDouble(x[i]);
        }
    }, static (o, g, x) => [g / (x[0] + 1.0)]);

    /// <summary>log(1 + v) by Goldberg's form, log(u)·v/(u − 1) with u = 1 + v, which cancels the rounding of u.</summary>
    private static double Log1pDouble(double v)
    {
        var u = 1.0 + v;
        return u == 1.0 ? v : Math.Log(u) * v / (u - 1.0);
    }

    /// <summary>e^v − 1 by Kahan's form, (u − 1)·v/log(u) with u = e^v, which cancels the rounding of u.</summary>
    private static double Expm1Double(double v)
    {
        var u = Math.Exp(v);
        return u == 1.0 ? v : u - 1.0 == -1.0 ? -1.0 : double.IsInfinity(u) ? u : (u - 1.0) * v / Math.Log(u);
    }

    /// <summary>e^x − 1 for every element, accurate for small x.</summary>
    /// <returns>The result.</returns>
    public Tensor Expm1() => Unary("Expm1", (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = (float)Expm1Double(x[i]);
        }
    }, (x, y, g, d) =>
    {
        // expm1'(x) = e^x = y + 1
        TensorPrimitives.Add(y, 1f, d);
        TensorPrimitives.Multiply(d, g, d);
    }, static (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = Expm1Double(x[i]);
        }
    }, static (o, g, x) => [g * (o + 1.0)]);

    /// <summary>−1, 0 or 1 by the sign of every element (NaN stays NaN); its gradient is 0.</summary>
    /// <returns>The result.</returns>
    public Tensor Sign() => Unary("Sign", (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? 1f : x[i] < 0 ? -1f : x[i];
        }
    }, (x, y, g, d) => d.Clear(), static (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? 1.0 : x[i] < 0 ? -1.0 : x[i];
        }
    }, static (o, g, x) => [g * 0.0], saveInput: false);

    /// <summary>
    /// softplus(x) = log(1 + e^(βx)) / β, a smooth ReLU, as torch.nn.functional.softplus; where βx exceeds the
    /// threshold it is x itself.
    /// </summary>
    /// <param name="beta">β, positive.</param>
    /// <param name="threshold">Above this βx the function is linear.</param>
    /// <returns>The result.</returns>
    public Tensor Softplus(double beta = 1, double threshold = 20)
    {
        if (!(beta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "Softplus: beta must be positive.");
        }

        var (beta32, threshold32) = ((float)beta, (float)threshold);
        return Unary("Softplus", (x, d) =>
        {
            for (var i = 0; i < x.Length; i++)
            {
                var bx = beta32 * x[i];
                d[i] = bx > threshold32 ? x[i] : (MathF.Max(bx, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(bx)))) / beta32;
            }
        }, (x, y, g, d) =>
        {
            // softplus'(x) = σ(βx), 1 where linear
            for (var i = 0; i < x.Length; i++)
            {
                var bx = beta32 * x[i];
                d[i] = bx > threshold32 ? g[i] : g[i] / (1f + MathF.Exp(-bx));
            }
        }, (x, d) =>
        {
            for (var i = 0; i < x.Length; i++)
            {
                var bx = beta * x[i];
                d[i] = bx > threshold ? x[i] : (Math.Max(bx, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(bx)))) / beta;
            }
        }, (o, g, x) => [Where((x[0] * beta).Gt(threshold), g, g * (x[0] * beta).Sigmoid())]);
    }

    /// <summary>The exponential linear unit: x for x &gt; 0, α(e^x − 1) otherwise.</summary>
    /// <param name="alpha">α (PyTorch's default 1).</param>
    /// <returns>The result.</returns>
    public Tensor Elu(double alpha = 1) => Unary("Elu", (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? x[i] : (float)alpha * (MathF.Exp(x[i]) - 1f);
        }
    }, (x, y, g, d) =>
    {
        // elu'(x) = 1 for x > 0, y + α otherwise
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? g[i] : g[i] * (y[i] + (float)alpha);
        }
    }, (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] > 0 ? x[i] : alpha * Expm1Double(x[i]);
        }
    }, (o, g, x) => [Where(x[0].Gt(0.0), g, g * (o + alpha))]);

    /// <summary>The hard tanh: x limited to [min, max] (PyTorch's default [−1, 1]); the gradient passes inside the bounds.</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>The result.</returns>
    public Tensor Hardtanh(double min = -1, double max = 1) => Clamp(min, max);

    /// <summary>
    /// Elementwise this^exponent with broadcasting (torch.pow with a tensor exponent). The gradient is
    /// e·x^(e−1) for the base and x^e·ln x for the exponent (0 where x is 0 and e ≥ 0, as PyTorch).
    /// </summary>
    /// <param name="exponent">The exponents.</param>
    /// <returns>The powers.</returns>
    public Tensor Pow(Tensor exponent)
    {
        var (result, shape) = BinaryForward<PowOp>("Pow", this, exponent);
        if (NeedsGrad(this, exponent) && result._dtype == DType.Float64)
        {
            result.Record("Pow", [this, exponent], null, [this, exponent], savesOutput: true, graph: s_powGraph);
        }
        else if (NeedsGrad(this, exponent))
        {
            var input = this;
            var y = result.Data;
            result.Record("Pow", [input, exponent], g =>
            {
                var zeros = RentGradArray(g.Length);
                zeros.AsSpan().Clear();
                var x = Broadcast<AddOp>(zeros, shape, input);
                var e = Broadcast<AddOp>(zeros, shape, exponent);
                if (input.RequiresGrad)
                {
                    var d = RentGradArray(g.Length);
                    for (var i = 0; i < d.Length; i++)
                    {
                        d[i] = e[i] == 0 ? 0f : g[i] * e[i] * MathF.Pow(x[i], e[i] - 1f);
                    }

                    input.DepositGrad(d, shape, owned: true);
                }

                if (exponent.RequiresGrad)
                {
                    var d = RentGradArray(g.Length);
                    for (var i = 0; i < d.Length; i++)
                    {
                        d[i] = x[i] == 0 && e[i] >= 0 ? 0f : g[i] * y[i] * MathF.Log(x[i]);
                    }

                    exponent.DepositGrad(d, shape, owned: true);
                }

                ReturnGradArray(zeros);
                ReturnGradArray(x);
                ReturnGradArray(e);
            }, [input, exponent], savesOutput: true, graph: s_powGraph);
        }

        return result;
    }

    /// <summary>Pow's gradients through tensor ops: g·e·x^(e−1) (0 where e is 0) and g·y·ln x (0 where x is 0 and e ≥ 0).</summary>
    private static readonly GraphBackwardFn s_powGraph = static (o, g, x) =>
    [
        x[0].RequiresGrad ? Where(x[1].Eq(0.0), 0.0, g * x[1] * x[0].Pow(x[1] - 1.0)).SumTo(x[0].Dims) : null,
        x[1].RequiresGrad ? Where(x[0].Eq(0.0).LogicalAnd(x[1].Ge(0.0)), 0.0, g * o * x[0].Log()).SumTo(x[1].Dims) : null,
    ];

    /// <summary>Elementwise maximum with broadcasting (torch.maximum): NaN propagates, and where the two are equal each receives half the gradient.</summary>
    /// <param name="a">One operand.</param>
    /// <param name="b">The other.</param>
    /// <returns>The larger of each pair.</returns>
    public static Tensor Maximum(Tensor a, Tensor b) => Extremum(a, b, max: true);

    /// <summary>Elementwise minimum with broadcasting (torch.minimum): NaN propagates, and where the two are equal each receives half the gradient.</summary>
    /// <param name="a">One operand.</param>
    /// <param name="b">The other.</param>
    /// <returns>The smaller of each pair.</returns>
    public static Tensor Minimum(Tensor a, Tensor b) => Extremum(a, b, max: false);

    private static Tensor Extremum(Tensor a, Tensor b, bool max)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Tensor first = max ? a.Gt(b) : a.Lt(b), second = max ? a.Lt(b) : a.Gt(b);

        // Ties (and NaN, for which both comparisons are false) take the mean: the value itself, or NaN.
        return Where(first, a, Where(second, b, (a * 0.5) + (b * 0.5)));
    }
}
