using System.Numerics.Tensors;
using Backprop.Autograd;
using Backprop.Kernels;
using Backprop.Kernels.Elementwise;

namespace Backprop;

public partial class Tensor
{
    /// <summary>Computes an elementwise function: d = f(x).</summary>
    private delegate void UnaryForward(ReadOnlySpan<float> x, Span<float> d);

    /// <summary>The same elementwise function in float64.</summary>
    private delegate void UnaryForward64(ReadOnlySpan<double> x, Span<double> d);

    /// <summary>Computes dL/dx into d from the input x, the output y and dL/dy in g.</summary>
    private delegate void UnaryBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> d);

    /// <summary>e^x for every element.</summary>
    /// <returns>The result.</returns>
    public Tensor Exp() => Unary("Exp", TensorPrimitives.Exp, (x, y, g, d) => TensorPrimitives.Multiply(g, y, d), static (x, d) => TensorPrimitives.Exp(x, d), static (o, g, x) => [g * o], backwardInPlace: true);

    /// <summary>The natural logarithm of every element.</summary>
    /// <returns>The result.</returns>
    public Tensor Log() => Unary("Log", TensorPrimitives.Log, (x, y, g, d) => TensorPrimitives.Divide(g, x, d), static (x, d) => TensorPrimitives.Log(x, d), static (o, g, x) => [g / x[0]], backwardInPlace: true);

    /// <summary>The sine of every element (radians).</summary>
    /// <returns>The result.</returns>
    public Tensor Sin() => Unary("Sin", TensorPrimitives.Sin, (x, y, g, d) =>
    {
        // sin'(x) = cos(x)
        TensorPrimitives.Cos(x, d);
        TensorPrimitives.Multiply(d, g, d);
    }, static (x, d) => TensorPrimitives.Sin(x, d), static (o, g, x) => [g * x[0].Cos()]);

    /// <summary>The cosine of every element (radians).</summary>
    /// <returns>The result.</returns>
    public Tensor Cos() => Unary("Cos", TensorPrimitives.Cos, (x, y, g, d) =>
    {
        // cos'(x) = −sin(x)
        TensorPrimitives.Sin(x, d);
        TensorPrimitives.Multiply(d, g, d);
        TensorPrimitives.Negate(d, d);
    }, static (x, d) => TensorPrimitives.Cos(x, d), static (o, g, x) => [-(g * x[0].Sin())]);

    /// <summary>1 / x for every element.</summary>
    /// <returns>The result.</returns>
    public Tensor Reciprocal() => Unary("Reciprocal", TensorPrimitives.Reciprocal, (x, y, g, d) =>
    {
        // (1/x)' = −1/x² = −y²
        TensorPrimitives.Multiply(y, y, d);
        TensorPrimitives.Multiply(d, g, d);
        TensorPrimitives.Negate(d, d);
    }, static (x, d) => TensorPrimitives.Reciprocal(x, d), static (o, g, x) => [-(g * o * o)]);

    /// <summary>1 / √x for every element.</summary>
    /// <returns>The result.</returns>
    public Tensor Rsqrt() => Unary("Rsqrt", TensorPrimitives.ReciprocalSqrt, (x, y, g, d) =>
    {
        // (x^−½)' = −½·x^−3/2 = −½·y³
        TensorPrimitives.Multiply(y, y, d);
        TensorPrimitives.Multiply(d, y, d);
        TensorPrimitives.Multiply(d, g, d);
        TensorPrimitives.Multiply(d, -0.5f, d);
    }, static (x, d) => TensorPrimitives.ReciprocalSqrt(x, d), static (o, g, x) => [g * o * o * o * -0.5]);

    /// <summary>The sigmoid linear unit (swish), x·σ(x).</summary>
    /// <returns>The result.</returns>
    public Tensor Silu() => this * Sigmoid();

    /// <summary>The square root of every element.</summary>
    /// <returns>The result.</returns>
    public Tensor Sqrt() => Unary("Sqrt", TensorPrimitives.Sqrt, (x, y, g, d) =>
    {
        TensorPrimitives.Divide(g, y, d);
        TensorPrimitives.Multiply(d, 0.5f, d);
    }, static (x, d) => TensorPrimitives.Sqrt(x, d), static (o, g, x) => [g / o * 0.5]);

    /// <summary>The absolute value of every element (its gradient at 0 is 0).</summary>
    /// <returns>The result.</returns>
    public Tensor Abs() => Unary("Abs", TensorPrimitives.Abs, (x, y, g, d) => Elementwise.Map(x, g, d, default(AbsBackwardOperator)), static (x, d) => TensorPrimitives.Abs(x, d), static (o, g, x) => [g * x[0].Sign()], backwardInPlace: true);

    /// <summary>Limits every element to [min, max]; a null bound is no limit. The gradient flows where the bound does not bite.</summary>
    /// <param name="min">The lower bound, or null.</param>
    /// <param name="max">The upper bound, or null.</param>
    /// <returns>The result.</returns>
    public Tensor Clamp(float? min, float? max) => Clamp((double?)min, max);

    /// <summary>Limits every element to [min, max] (bounds rounded to float for a float32 tensor); a null bound is no limit.</summary>
    /// <param name="min">The lower bound, or null.</param>
    /// <param name="max">The upper bound, or null.</param>
    /// <returns>The result.</returns>
    public Tensor Clamp(double? min, double? max)
    {
        if (min is { } lo && max is { } hi && lo > hi)
        {
            throw new ArgumentException($"Clamp: min {lo} is greater than max {hi}.", nameof(min));
        }

        var low = min ?? double.NegativeInfinity;
        var high = max ?? double.PositiveInfinity;
        var (low32, high32) = ((float)low, (float)high);
        return Unary("Clamp", (x, d) =>
        {
            TensorPrimitives.Max(x, low32, d);
            TensorPrimitives.Min(d, high32, d);
        }, (x, y, g, d) => Elementwise.Map(x, g, d, new ClampBackwardOperator(low32, high32)), (x, d) =>
        {
            TensorPrimitives.Max(x, low, d);
            TensorPrimitives.Min(d, high, d);
        }, (o, g, x) => [Where(x[0].Ge(o.DType == DType.Float32 ? low32 : low).LogicalAnd(x[0].Le(o.DType == DType.Float32 ? high32 : high)), g, 0.0)], backwardInPlace: true);
    }

    /// <summary>The rectified linear unit, max(x, 0).</summary>
    /// <returns>The result.</returns>
    public Tensor Relu() => Unary("Relu", (x, d) => TensorPrimitives.Max(x, 0f, d), (x, y, g, d) => Elementwise.Map(x, g, d, default(ReluBackwardOperator)), static (x, d) => TensorPrimitives.Max(x, 0.0, d), static (o, g, x) => [g * x[0].Gt(0.0).To(g._dtype)], backwardInPlace: true);

    /// <summary>The leaky rectified linear unit: x for x &gt; 0, slope·x otherwise.</summary>
    /// <param name="negativeSlope">The slope for negative inputs (PyTorch's default 0.01).</param>
    /// <returns>The result.</returns>
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Unary(
        "LeakyRelu",
        (x, d) => Elementwise.Map(x, d, new LeakyReluOperator((float)negativeSlope)),
        (x, y, g, d) => Elementwise.Map(x, g, d, new LeakyReluBackwardOperator((float)negativeSlope)),
        (x, d) =>
        {
            for (var i = 0; i < x.Length; i++)
            {
                d[i] = x[i] > 0 ? x[i] : negativeSlope * x[i];
            }
        },
        (o, g, x) => [Where(x[0].Gt(0.0), g, g * negativeSlope)],
        backwardInPlace: true);

    /// <summary>The logistic sigmoid, 1 / (1 + e^−x).</summary>
    /// <returns>The result.</returns>
    public Tensor Sigmoid() => Unary("Sigmoid", TensorPrimitives.Sigmoid, (x, y, g, d) =>
    {
        // σ'(x) = y·(1 − y)
        TensorPrimitives.Multiply(y, y, d);
        TensorPrimitives.Subtract(y, d, d);
        TensorPrimitives.Multiply(d, g, d);
    }, static (x, d) => TensorPrimitives.Sigmoid(x, d), static (o, g, x) => [g * o * (1.0 - o)]);

    /// <summary>The hyperbolic tangent.</summary>
    /// <returns>The result.</returns>
    public Tensor Tanh() => Unary("Tanh", TensorPrimitives.Tanh, (x, y, g, d) =>
    {
        // tanh'(x) = 1 − y²
        TensorPrimitives.Multiply(y, y, d);
        TensorPrimitives.Subtract(1f, d, d);
        TensorPrimitives.Multiply(d, g, d);
    }, static (x, d) => TensorPrimitives.Tanh(x, d), static (o, g, x) => [g * (1.0 - (o * o))]);

    /// <summary>The Gaussian error linear unit, exact form x·Φ(x).</summary>
    /// <returns>The result.</returns>
    public Tensor Gelu() => Unary("Gelu", (x, d) => Elementwise.Map(x, d, default(GeluOperator)), (x, y, g, d) => Elementwise.Map(x, g, d, default(GeluBackwardOperator)), static (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = x[i] * Erf64.NormalCdf(x[i]);
        }
    }, static (o, g, x) =>
    {
        // gelu'(x) = Φ(x) + x·φ(x), with Φ(x) = ½(1 + erf(x/√2)) and φ(x) = e^(−x²/2)/√(2π)
        var v = x[0];
        var cdf = ((v * GeluOperator.InvSqrt2Double).Erf() + 1.0) * 0.5;
        var pdf = (v * v * -0.5).Exp() * InvSqrt2Pi;
        return [g * (cdf + (v * pdf))];
    }, minimumPerThread: WorkSplitter.ComputeBoundMinimum, backwardInPlace: true);

    /// <summary>The error function, erf(x) = 2/√π·∫₀ˣ e^(−t²) dt, of every element (torch.erf); in float32 its absolute error is below 3e-7.</summary>
    /// <returns>The result.</returns>
    public Tensor Erf() => Unary("Erf", (x, d) => Elementwise.Map(x, d, default(ErfOperator)), (x, y, g, d) =>
    {
        // erf'(x) = 2/√π·e^(−x²)
        TensorPrimitives.Multiply(x, x, d);
        TensorPrimitives.Negate(d, d);
        TensorPrimitives.Exp(d, d);
        TensorPrimitives.Multiply(d, g, d);
        TensorPrimitives.Multiply(d, (float)TwoOverSqrtPi, d);
    }, static (x, d) =>
    {
        for (var i = 0; i < x.Length; i++)
        {
            d[i] = Erf64.Evaluate(x[i]);
        }
    }, static (o, g, x) => [g * (x[0] * x[0]).Neg().Exp() * TwoOverSqrtPi], minimumPerThread: WorkSplitter.ComputeBoundMinimum);

    /// <summary>2/√π, erf's slope at 0.</summary>
    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>1/√(2π), the normal density at 0.</summary>
    private const double InvSqrt2Pi = 0.3989422804014327;

    /// <summary>
    /// An elementwise op: <paramref name="forward"/> and <paramref name="backward"/> on float32 storage, and, where the
    /// op has them, <paramref name="forward64"/> for float64 tensors and <paramref name="graph"/>, its backward
    /// through tensor ops (for higher-order gradients and float64).
    /// </summary>
    private Tensor Unary(string op, UnaryForward forward, UnaryBackward backward, UnaryForward64? forward64 = null, GraphBackwardFn? graph = null, bool saveInput = true, int minimumPerThread = WorkSplitter.ElementwiseMinimum, bool backwardInPlace = false)
    {
        if (_dtype == DType.Float64 && forward64 is not null)
        {
            var output = NewOutput<double>(Dims);
            forward64(Storage<double>(), output.Storage<double>());
            if (NeedsGrad(this))
            {
                output.Record(op, [this], null, saveInput ? [this] : null, savesOutput: saveInput, graph);
            }

            return output;
        }

        RequireFloat32(op, this);
        var result = NewOutput(Dims);
        float[] x = Data, y = result.Data;
        if (x.Length < minimumPerThread)
        {
            forward(x, y);
        }
        else
        {
            WorkSplitter.For(x.Length, minimumPerThread, (forward, x, y), static (s, start, length) => s.forward(s.x.AsSpan(start, length), s.y.AsSpan(start, length)));
        }

        if (NeedsGrad(this))
        {
            RecordUnary(op, result, backward, saveInput, graph, minimumPerThread, backwardInPlace);
        }

        return result;
    }

    /// <summary>
    /// Records a float32 unary op's node. With <paramref name="backwardInPlace"/> (a backward that reads dy[i] before it
    /// writes dx[i], in one pass) dx may be written over dy when backward would free dy next.
    /// </summary>
    private void RecordUnary(string op, Tensor result, UnaryBackward backward, bool saveInput, GraphBackwardFn? graph, int minimumPerThread, bool backwardInPlace)
    {
        Tensor[] inputs = [this];
        result.Record(op, inputs, (backward, graph, minimumPerThread, backwardInPlace), static (s, result, inputs, g) =>
        {
            var input = inputs[0];
            float[] x = input.Data, y = result.Data;
            var d = s.backwardInPlace && result.GiveUpGrad(g) ? g : RentGradArray(input.Numel);
            if (d.Length < s.minimumPerThread)
            {
                s.backward(x, y, g, d);
            }
            else
            {
                WorkSplitter.For(d.Length, s.minimumPerThread, (s.backward, x, y, g, d), static (s, start, length) => s.backward(s.x.AsSpan(start, length), s.y.AsSpan(start, length), s.g.AsSpan(start, length), s.d.AsSpan(start, length)));
            }

            input.DepositGrad(d, input.Dims, owned: true);
        }, saveInput ? inputs : null, savesOutput: saveInput, graph is null ? null : static (s, o, g, x) => s.graph!(o, g, x));
    }
}
