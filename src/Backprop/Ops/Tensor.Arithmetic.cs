using System.Numerics.Tensors;
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

    /// <summary>Adds a scalar.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a + s.</returns>
    public static Tensor operator +(Tensor a, float s) => AddScalar(a, s);

    /// <summary>Adds a scalar.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s + a.</returns>
    public static Tensor operator +(float s, Tensor a) => AddScalar(a, s);

    /// <summary>Subtracts a scalar.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a − s.</returns>
    public static Tensor operator -(Tensor a, float s) => AddScalar(a, -s);

    /// <summary>Subtracts from a scalar.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s − a.</returns>
    public static Tensor operator -(float s, Tensor a) => AddScalar(MulScalar(a, -1f), s);

    /// <summary>Multiplies by a scalar.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a·s.</returns>
    public static Tensor operator *(Tensor a, float s) => MulScalar(a, s);

    /// <summary>Multiplies by a scalar.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s·a.</returns>
    public static Tensor operator *(float s, Tensor a) => MulScalar(a, s);

    /// <summary>Divides by a scalar.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a / s.</returns>
    public static Tensor operator /(Tensor a, float s) => MulScalar(a, 1f / s);

    /// <summary>Divides a scalar by each element.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s / a.</returns>
    public static Tensor operator /(float s, Tensor a) => MulScalar(a.Pow(-1f), s);

    /// <summary>Negates every element.</summary>
    /// <param name="a">The tensor.</param>
    /// <returns>−a.</returns>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Adds a double scalar (so that <c>x + 0.5</c> compiles as in PyTorch); it is rounded to float.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a + s.</returns>
    public static Tensor operator +(Tensor a, double s) => a + (float)s;

    /// <summary>Adds a tensor to a double scalar, rounded to float.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s + a.</returns>
    public static Tensor operator +(double s, Tensor a) => (float)s + a;

    /// <summary>Subtracts a double scalar, rounded to float.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a − s.</returns>
    public static Tensor operator -(Tensor a, double s) => a - (float)s;

    /// <summary>Subtracts a tensor from a double scalar, rounded to float.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s − a.</returns>
    public static Tensor operator -(double s, Tensor a) => (float)s - a;

    /// <summary>Multiplies by a double scalar (so that <c>x * 0.1</c> compiles as in PyTorch); it is rounded to float.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a·s.</returns>
    public static Tensor operator *(Tensor a, double s) => a * (float)s;

    /// <summary>Multiplies a double scalar by a tensor, rounded to float.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s·a.</returns>
    public static Tensor operator *(double s, Tensor a) => (float)s * a;

    /// <summary>Divides by a double scalar, rounded to float.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a / s.</returns>
    public static Tensor operator /(Tensor a, double s) => a / (float)s;

    /// <summary>Divides a double scalar by each element, rounded to float.</summary>
    /// <param name="s">The scalar.</param>
    /// <param name="a">The tensor.</param>
    /// <returns>s / a.</returns>
    public static Tensor operator /(double s, Tensor a) => (float)s / a;

    /// <summary>Elementwise sum with broadcasting (PyTorch's rules).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a + b.</returns>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var (result, shape) = BinaryForward<AddOp>("Add", a, b);
        if (NeedsGrad(a, b))
        {
            result.Record("Add", [a, b], g =>
            {
                a.DepositGrad(g, shape, owned: false);
                b.DepositGrad(g, shape, owned: false);
            });
        }

        return result;
    }

    /// <summary>Elementwise difference with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a − b.</returns>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var (result, shape) = BinaryForward<SubOp>("Sub", a, b);
        if (NeedsGrad(a, b))
        {
            result.Record("Sub", [a, b], g =>
            {
                a.DepositGrad(g, shape, owned: false);
                if (b.RequiresGrad)
                {
                    var neg = RentGradArray(g.Length);
                    TensorPrimitives.Negate(g, neg);
                    b.DepositGrad(neg, shape, owned: true);
                }
            });
        }

        return result;
    }

    /// <summary>Elementwise product with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a ⊙ b.</returns>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var (result, shape) = BinaryForward<MulOp>("Mul", a, b);
        if (NeedsGrad(a, b))
        {
            Tensor[] operands = [a, b];
            result.Record("Mul", operands, g =>
            {
                if (a.RequiresGrad)
                {
                    a.DepositGrad(Broadcast<MulOp>(g, shape, b), shape, owned: true);
                }

                if (b.RequiresGrad)
                {
                    b.DepositGrad(Broadcast<MulOp>(g, shape, a), shape, owned: true);
                }
            }, operands);
        }

        return result;
    }

    /// <summary>Elementwise quotient with broadcasting.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>a / b.</returns>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var (result, shape) = BinaryForward<DivOp>("Div", a, b);
        if (NeedsGrad(a, b))
        {
            result.Record("Div", [a, b], g =>
            {
                var ga = Broadcast<DivOp>(g, shape, b);
                if (!b.RequiresGrad)
                {
                    a.DepositGrad(ga, shape, owned: true);
                    return;
                }

                a.DepositGrad(ga, shape, owned: false);

                // d(a/b)/db = −(a/b)/b, so dL/db = −(g/b)·(a/b).
                TensorPrimitives.Multiply(ga, result.Data, ga);
                TensorPrimitives.Negate(ga, ga);
                b.DepositGrad(ga, shape, owned: true);
            }, [b], savesOutput: true);
        }

        return result;
    }

    /// <summary>Adds a scalar to every element.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a + s.</returns>
    public static Tensor AddScalar(Tensor a, float s)
    {
        ArgumentNullException.ThrowIfNull(a);
        RequireFloat32("AddScalar", a);
        var result = NewOutput(a.Dims);
        TensorPrimitives.Add(a.Data, s, result.Data);
        if (NeedsGrad(a))
        {
            result.Record("AddScalar", [a], g => a.DepositGrad(g, a.Dims, owned: false));
        }

        return result;
    }

    /// <summary>Multiplies every element by a scalar.</summary>
    /// <param name="a">The tensor.</param>
    /// <param name="s">The scalar.</param>
    /// <returns>a·s.</returns>
    public static Tensor MulScalar(Tensor a, float s)
    {
        ArgumentNullException.ThrowIfNull(a);
        RequireFloat32("MulScalar", a);
        var result = NewOutput(a.Dims);
        TensorPrimitives.Multiply(a.Data, s, result.Data);
        if (NeedsGrad(a))
        {
            result.Record("MulScalar", [a], g =>
            {
                var grad = a.GradAccumulator(out _);
                TensorPrimitives.MultiplyAdd(g, s, grad, grad);
            });
        }

        return result;
    }

    /// <summary>Negates every element.</summary>
    /// <returns>−this.</returns>
    public Tensor Neg() => Unary("Neg", TensorPrimitives.Negate, (x, y, g, d) => TensorPrimitives.Negate(g, d), saveInput: false);

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
            });
        }

        return Unary("Pow", (x, d) => TensorPrimitives.Pow(x, exponent, d), (x, y, g, d) =>
        {
            // d(x^e)/dx = e·x^(e−1)
            TensorPrimitives.Pow(x, exponent - 1f, d);
            TensorPrimitives.Multiply(d, g, d);
            TensorPrimitives.Multiply(d, exponent, d);
        });
    }

    private static (Tensor Result, int[] Shape) BinaryForward<TOp>(string op, Tensor a, Tensor b)
        where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireFloat32(op, a, b);
        var shape = Shapes.Broadcast(op, a.Dims, b.Dims);
        var result = NewOutput(shape);
        Broadcasting.Binary<TOp>(a.Data, a.Dims, b.Data, b.Dims, result.Data, shape);
        return (result, shape);
    }

    /// <summary>op(g, other) where g has the broadcast shape and other broadcasts to it, in a pooled array the caller owns.</summary>
    private static float[] Broadcast<TOp>(float[] g, int[] shape, Tensor other)
        where TOp : IBinaryOp
    {
        var d = RentGradArray(g.Length);
        Broadcasting.Binary<TOp>(g, shape, other.Data, other.Dims, d, shape);
        return d;
    }
}
