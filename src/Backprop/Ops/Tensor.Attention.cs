using Backprop.Kernels;
using Backprop.Kernels.Attention;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention:
    /// softmax(q·kᵀ·scale + mask)·v over the last two dimensions, the leading ones being batch dimensions
    /// (for example [B, H, T, D]). Computed by one fused kernel per (batch, head) pair, without
    /// materialising the scores as tensors; with dropout, or a float mask that requires grad, it is composed of MatMul,
    /// Softmax and Dropout.
    /// A query row that may attend to no key gives zeros (PyTorch gives NaN).
    /// </summary>
    /// <param name="query">The queries, [..., Tq, D].</param>
    /// <param name="key">The keys, [..., Tk, D], with the query's leading dimensions.</param>
    /// <param name="value">The values, [..., Tk, D].</param>
    /// <param name="attnMask">Null; a bool mask where true means the key takes part (PyTorch's convention for this function); or a float mask added to the scores. Broadcastable to [..., Tq, Tk].</param>
    /// <param name="dropoutP">The probability of dropping an attention weight (training only; 0 for none).</param>
    /// <param name="isCausal">Whether query i may attend only to keys 0..i (PyTorch's top-left alignment).</param>
    /// <param name="scale">The factor on the scores; null for 1/√D.</param>
    /// <param name="generator">The random source of dropout; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The attended values, [..., Tq, D].</returns>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, float dropoutP = 0f, bool isCausal = false, double? scale = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        const string op = "ScaledDotProductAttention";
        RequireFloat32(op, query, key);
        RequireFloat32(op, value);
        if (query.Rank < 2 || key.Rank != query.Rank || value.Rank != query.Rank
            || !query.Dims.AsSpan(0, query.Rank - 2).SequenceEqual(key.Dims.AsSpan(0, key.Rank - 2))
            || !key.Dims.AsSpan(0, key.Rank - 1).SequenceEqual(value.Dims.AsSpan(0, value.Rank - 1))
            || query.Dims[^1] != key.Dims[^1] || value.Dims[^1] != query.Dims[^1])
        {
            throw new ArgumentException($"{op}: query {Shapes.Format(query.Dims)}, key {Shapes.Format(key.Dims)} and value {Shapes.Format(value.Dims)} must be [..., Tq, D], [..., Tk, D] and [..., Tk, D] with the same leading dimensions.", nameof(key));
        }

        if (dropoutP is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(dropoutP), $"{op}: the dropout probability must be in [0, 1), got {dropoutP}.");
        }

        int tq = query.Dims[^2], tk = key.Dims[^2], dim = query.Dims[^1];
        var lead = query.Dims[..^2];
        var factor = (float)(scale ?? (1.0 / Math.Sqrt(dim)));
        var bias = attnMask is null ? null : AttentionBias(op, attnMask, [.. lead, tq, tk]);
        if (dropoutP > 0f || bias is { RequiresGrad: true })
        {
            var scores = query.MatMul(key.Transpose(-2, -1)) * factor;
            if (bias is not null)
            {
                scores += bias;
            }

            if (isCausal)
            {
                scores = scores.MaskedFill(Ones([tq, tk], DType.Bool).Triu(1), double.NegativeInfinity);
            }

            return Dropout(scores.Softmax(-1), dropoutP, training: true, generator).MatMul(value);
        }

        var pairs = Shapes.Numel(lead);
        var layout = HeadLayout.Contiguous(1, tq, dim);
        var keys = HeadLayout.Contiguous(1, tk, dim);
        var shape = new AttentionShape(pairs, 1, tq, tk, dim, layout, keys, keys, layout, factor, isCausal,
            BiasBatchStride: bias is null || bias.Numel == tq * tk ? 0 : tq * tk);
        return Attention(shape, query, key, value, bias, [.. lead, tq, dim]).Output;
    }

    /// <summary>
    /// The fused attention of <paramref name="shape"/> over q, k and v read where their layouts say (one
    /// tensor may hold all three, as a packed projection does), into a new tensor of
    /// <paramref name="outputDims"/>. Returns the kernel too, whose probabilities callers may show when they
    /// ask to <paramref name="keep"/> them (they are kept anyway when backward needs them).
    /// </summary>
    internal static (Tensor Output, AttentionKernel Kernel) Attention(AttentionShape shape, Tensor q, Tensor k, Tensor v, Tensor? bias, int[] outputDims, bool keep = false)
    {
        // The probabilities live as long as the graph does; inside a scope their storage is pooled like any op output's.
        var needs = NeedsGrad(q, k) || NeedsGrad(v);
        var probabilities = needs || keep ? NewOutput([shape.Pairs, shape.QuerySteps, shape.KeySteps]).Data : null;
        var kernel = new AttentionKernel(shape, q.Data, k.Data, v.Data, bias?.Data, probabilities);
        var output = NewOutput(outputDims);
        kernel.Forward(output.Data);
        if (needs)
        {
            Tensor[] inputs = ReferenceEquals(q, k) && ReferenceEquals(k, v) ? [q] : [q, k, v];
            output.Record("ScaledDotProductAttention", inputs, g =>
                kernel.Backward(g, q.RequiresGrad ? q.GradAccumulatorArray() : null, k.RequiresGrad ? k.GradAccumulatorArray() : null, v.RequiresGrad ? v.GradAccumulatorArray() : null), inputs);
        }

        return (output, kernel);
    }

    /// <summary>
    /// A mask as the additive float bias the kernel reads: a bool mask (true = attend) becomes 0 and −∞, and
    /// anything not already [Tq, Tk] or the full <paramref name="full"/> shape is broadcast to it.
    /// </summary>
    private static Tensor AttentionBias(string op, Tensor mask, int[] full)
    {
        var bias = mask.DType switch
        {
            DType.Bool => Where(mask, Zeros([], DType.Float32), double.NegativeInfinity),
            DType.Float32 => mask,
            _ => throw new ArgumentException($"{op}: the mask is {mask.DType.Name()}; it must be bool or float32.", nameof(mask)),
        };
        Shapes.Broadcast(op, bias.Dims, full);
        if (bias.Numel == full[^1] * full[^2] && bias.Rank >= 2 && bias.Dims[^1] == full[^1] && bias.Dims[^2] == full[^2])
        {
            return bias;
        }

        return bias.Dims.AsSpan().SequenceEqual(full) ? bias : bias.Expand(full);
    }
}
