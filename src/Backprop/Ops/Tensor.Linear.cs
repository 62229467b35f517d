using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// The affine map of a linear layer, input·weightᵀ + bias, with weight stored [out, in] as PyTorch
    /// stores it. The transpose is read by the matrix kernel, never copied. Leading dimensions of the
    /// input are batch dimensions.
    /// </summary>
    /// <param name="input">The input, [..., in].</param>
    /// <param name="weight">The weight, [out, in].</param>
    /// <param name="bias">The bias, [out], or null.</param>
    /// <returns>The output, [..., out].</returns>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var float64 = IsFloat64("Linear", input, weight);
        if (weight.Rank != 2 || input.Rank == 0 || input.Dims[^1] != weight.Dims[1])
        {
            throw new ArgumentException($"Linear: input {Shapes.Format(input.Dims)} and weight {Shapes.Format(weight.Dims)}: the weight must be [out, in] with in equal to the input's last dimension.", nameof(weight));
        }

        int k = weight.Dims[1], n = weight.Dims[0];
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != n))
        {
            throw new ArgumentException($"Linear: bias {Shapes.Format(bias.Dims)} does not match weight {Shapes.Format(weight.Dims)}; it must be [{n}].", nameof(bias));
        }

        if (float64)
        {
            var product = input.MatMul(weight.T);
            return bias is null ? product : product + bias;
        }

        RequireFloat32("Linear", bias ?? input);
        var m = input.Numel / Math.Max(k, 1);
        var outShape = (int[])input.Dims.Clone();
        outShape[^1] = n;
        var result = NewOutput(outShape);
        var data = result.Data;
        if (bias is not null)
        {
            for (var i = 0; i < m; i++)
            {
                bias.Data.CopyTo(data, i * n);
            }
        }

        Gemm.Multiply(input.Data, false, weight.Data, true, data, m, n, k, accumulate: bias is not null);
        if (NeedsGrad(input, weight) || (bias is not null && NeedsGrad(bias)))
        {
            Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
            result.Record("Linear", inputs, (m, k, n), static (s, result, x, g) =>
            {
                MatMulBackward(x[0], x[1], transB: true, g, s.m, s.k, s.n);
                if (x.Length > 2)
                {
                    x[2].DepositGrad(g, result.Dims, owned: false);
                }
            }, inputs, graph: static (_, o, g, x) => LinearGraph(g, x));
        }

        return result;
    }

    /// <summary>Linear's gradient through tensor ops: dInput = G·W, dW = Gᵀ·input and dBias = Σ G over the batch.</summary>
    private static Tensor?[] LinearGraph(Tensor g, Tensor[] x)
    {
        var rows = g.Reshape(-1, g.Dims[^1]);
        return
        [
            x[0].RequiresGrad ? g.MatMul(x[1]) : null,
            x[1].RequiresGrad ? rows.T.MatMul(x[0].Reshape(-1, x[0].Dims[^1])) : null,
            x.Length > 2 && x[2].RequiresGrad ? rows.Sum(0) : null,
        ];
    }
}
