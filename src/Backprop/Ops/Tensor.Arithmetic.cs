using System.Numerics.Tensors;
using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a + b.</returns>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a − b.</returns>
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a ⊙ b.</returns>
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a / b.</returns>
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);

    /// <summary>Negates every element.</summary>
    /// <param name="a">The tensor.</param>
    /// <returns>−a.</returns>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Adds a scalar (rounded to float for a float32 tensor), as PyTorch's <c>x + 0.5</c>.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a + s.</returns>
    public static Tensor operator +(Tensor a, double s) => AddScalar(a, s);

    /// <summary>Adds a tensor to a scalar (rounded to float for a float32 tensor).</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s + a.</returns>
    public static Tensor operator +(double s, Tensor a) => AddScalar(a, s);

    /// <summary>Subtracts a scalar (rounded to float for a float32 tensor).</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a − s.</returns>
    public static Tensor operator -(Tensor a, double s) => AddScalar(a, -s);

    /// <summary>Subtracts a tensor from a scalar (rounded to float for a float32 tensor).</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s − a.</returns>
    public static Tensor operator -(double s, Tensor a) => AddScalar(MulScalar(a, -1.0), s);

    /// <summary>Multiplies by a scalar (rounded to float for a float32 tensor), as PyTorch's <c>x * 0.1</c>.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a·s.</returns>
    public static Tensor operator *(Tensor a, double s) => MulScalar(a, s);

    /// <summary>Multiplies a scalar by a tensor (rounded to float for a float32 tensor).</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s·a.</returns>
    public static Tensor operator *(double s, Tensor a) => MulScalar(a, s);

    /// <summary>Divides by a scalar (rounded to float for a float32 tensor).</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a / s.</returns>
    public static Tensor operator /(Tensor a, double s) => a is { _dtype: DType.Float64 } ? MulScalar(a, 1.0 / s) : MulScalar(a, 1f / (float)s);

    /// <summary>Divides a scalar by each element (rounded to float for a float32 tensor).</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s / a.</returns>
    public static Tensor operator /(double s, Tensor a) => MulScalar(a is { _dtype: DType.Float64 } ? a.Reciprocal() : a.Pow(-1f), s);

    /// <summary>Elementwise sum with broadcasting (PyTorch's rules).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a + b.</returns>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var (result, _) = BinaryForward<AddOp>("Add", a, b);
        if (NeedsGrad(a, b))
        {
            result.Record("Add", [a, b], NoState.Value, static (_, result, x, g) =>
            {
                // The last use of dy may take it, when backward would free it next (a residual's sum, for one).
                x[1].DepositGrad(g, result.Dims, owned: false);
                x[0].DepositGrad(g, result.Dims, owned: result.GiveUpGrad(g));
            }, graph: static (_, o, g, x) => [Needed(x[0], g), Needed(x[1], g)]);
        }

        return result;
    }

    /// <summary>Elementwise difference with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a − b.</returns>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var (result, _) = BinaryForward<SubOp>("Sub", a, b);
        if (NeedsGrad(a, b))
        {
            result.Record("Sub", [a, b], NoState.Value, static (_, result, x, g) =>
            {
                if (x[1].RequiresGrad)
                {
                    var neg = RentGradArray(g.Length);
                    TensorPrimitives.Negate(g, neg);
                    x[1].DepositGrad(neg, result.Dims, owned: true);
                }

                x[0].DepositGrad(g, result.Dims, owned: result.GiveUpGrad(g));
            }, graph: static (_, o, g, x) => [Needed(x[0], g), x[1].RequiresGrad ? Needed(x[1], -g) : null]);
        }

        return result;
    }

    /// <summary>Elementwise product with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a ⊙ b.</returns>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var (result, _) = BinaryForward<MulOp>("Mul", a, b);
        if (NeedsGrad(a, b))
        {
            Tensor[] operands = [a, b];
            result.Record("Mul", operands, NoState.Value, static (_, result, x, g) =>
            {
                if (x[0].RequiresGrad)
                {
                    x[0].DepositGrad(Broadcast<MulOp>(g, result.Dims, x[1]), result.Dims, owned: true);
                }

                if (x[1].RequiresGrad)
                {
                    x[1].DepositGrad(Broadcast<MulOp>(g, result.Dims, x[0]), result.Dims, owned: true);
                }
            }, operands, graph: static (_, o, g, x) => [x[0].RequiresGrad ? Needed(x[0], g * x[1]) : null, x[1].RequiresGrad ? Needed(x[1], g * x[0]) : null]);
        }

        return result;
    }

    /// <summary>Elementwise quotient with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a / b.</returns>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var (result, _) = BinaryForward<DivOp>("Div", a, b);
        if (NeedsGrad(a, b))
        {
            result.Record("Div", [a, b], NoState.Value, static (_, result, x, g) =>
            {
                var shape = result.Dims;
                var ga = Broadcast<DivOp>(g, shape, x[1]);
                if (!x[1].RequiresGrad)
                {
                    x[0].DepositGrad(ga, shape, owned: true);
                    return;
                }

                x[0].DepositGrad(ga, shape, owned: false);

                // d(a/b)/db = −(a/b)/b, so dL/db = −(g/b)·(a/b).
                TensorPrimitives.Multiply(ga, result.Data, ga);
                TensorPrimitives.Negate(ga, ga);
                x[1].DepositGrad(ga, shape, owned: true);
            }, [b], savesOutput: true, graph: static (_, o, g, x) =>
            {
                var ga = g / x[1];
                return [x[0].RequiresGrad ? Needed(x[0], ga) : null, x[1].RequiresGrad ? Needed(x[1], -(ga * x[0] / x[1])) : null];
            });
        }

        return result;
    }

    /// <summary>Adds a scalar to every element.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a + s.</returns>
    public static Tensor AddScalar(Tensor a, float s) => AddScalar(a, (double)s);

    /// <summary>Adds a scalar to every element, rounded to float for a float32 tensor.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a + s.</returns>
    public static Tensor AddScalar(Tensor a, double s)
    {
        ArgumentNullException.ThrowIfNull(a);
        Tensor result;
        if (a._dtype == DType.Float64)
        {
            result = NewOutput<double>(a.Dims);
            TensorPrimitives.Add(a.Storage<double>(), s, result.Storage<double>());
        }
        else
        {
            RequireFloat32("AddScalar", a);
            result = NewOutput(a.Dims);
            TensorPrimitives.Add(a.Data, (float)s, result.Data);
        }

        if (NeedsGrad(a))
        {
            result.Record("AddScalar", [a], NoState.Value, static (_, _, x, g) => x[0].DepositGrad(g, x[0].Dims, owned: false), graph: static (_, o, g, x) => [g]);
        }

        return result;
    }

    /// <summary>Multiplies every element by a scalar.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a·s.</returns>
    public static Tensor MulScalar(Tensor a, float s) => MulScalar(a, (double)s);

    /// <summary>Multiplies every element by a scalar, rounded to float for a float32 tensor.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a·s.</returns>
    public static Tensor MulScalar(Tensor a, double s)
    {
        ArgumentNullException.ThrowIfNull(a);
        Tensor result;
        if (a._dtype == DType.Float64)
        {
            result = NewOutput<double>(a.Dims);
            TensorPrimitives.Multiply(a.Storage<double>(), s, result.Storage<double>());
        }
        else
        {
            RequireFloat32("MulScalar", a);
            result = NewOutput(a.Dims);
            TensorPrimitives.Multiply(a.Data, (float)s, result.Data);
        }

        if (NeedsGrad(a))
        {
            var scale = (float)s;
            result.Record("MulScalar", [a], (scale, exact: s), static (state, _, x, g) =>
            {
                var grad = x[0].GradAccumulator();
                TensorPrimitives.MultiplyAdd(g, state.scale, grad, grad);
            }, graph: static (state, o, g, x) => [MulScalar(g, state.exact)]);
        }

        return result;
    }

    /// <summary>Negates every element.</summary>
    /// <returns>−this.</returns>
    public Tensor Neg() => Unary("Neg", TensorPrimitives.Negate, (x, y, g, d) => TensorPrimitives.Negate(g, d), static (x, d) => TensorPrimitives.Negate(x, d), static (o, g, x) => [-g], saveInput: false);

    /// <summary>Raises every element to a fixed power.</summary>
    /// <param name="exponent">The exponent.</param>
    /// <returns>this^exponent.</returns>
    public Tensor Pow(float exponent)
    {
        if (exponent == 2f)
        {
            return Unary("Pow", (x, d) => TensorPrimitives.Multiply(x, x, d), (x, y, g, d) =>
            {
                TensorPrimitives.Multiply(x, g, d);
                TensorPrimitives.Multiply(d, 2f, d);
            }, static (x, d) => TensorPrimitives.Multiply(x, x, d), static (o, g, x) => [g * x[0] * 2.0]);
        }

        return Unary("Pow", (x, d) => TensorPrimitives.Pow(x, exponent, d), (x, y, g, d) =>
        {
            // d(x^e)/dx = e·x^(e−1)
            TensorPrimitives.Pow(x, exponent - 1f, d);
            TensorPrimitives.Multiply(d, g, d);
            TensorPrimitives.Multiply(d, exponent, d);
        }, (x, d) => TensorPrimitives.Pow(x, (double)exponent, d), (o, g, x) => [g * x[0].Pow(exponent - 1f) * exponent]);
    }

    private static (Tensor Result, int[] Shape) BinaryForward<TOp>(string op, Tensor a, Tensor b)
        where TOp : IBinaryOp<float>, IBinaryOp<double>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = Shapes.Broadcast(op, a.Dims, b.Dims);
        if (IsFloat64(op, a, b))
        {
            var output = NewOutput<double>(shape);
            Broadcasting.Binary<double, TOp>(a.Storage<double>(), a.Dims, b.Storage<double>(), b.Dims, output.Storage<double>(), shape);
            return (output, shape);
        }

        var result = NewOutput(shape);
        Broadcasting.Binary<float, TOp>(a.Data, a.Dims, b.Data, b.Dims, result.Data, shape);
        return (result, shape);
    }

    /// <summary>op(g, other) where g has the broadcast shape and other broadcasts to it, in a pooled array the caller owns.</summary>
    private static float[] Broadcast<TOp>(float[] g, int[] shape, Tensor other)
        where TOp : IBinaryOp<float>
    {
        var d = RentGradArray(g.Length);
        Broadcasting.Binary<float, TOp>(g, shape, other.Data, other.Dims, d, shape);
        return d;
    }

    /// <summary>A broadcast op's gradient for input <paramref name="x"/>, summed back to its shape, or null when it requires none.</summary>
    private static Tensor? Needed(Tensor x, Tensor g) => x.RequiresGrad ? g.SumTo(x.Dims) : null;
}
