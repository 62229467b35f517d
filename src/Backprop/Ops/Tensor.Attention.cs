using Backprop.Autograd;
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
        var float64 = IsFloat64(op, query, key);
        IsFloat64(op, key, value);
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
        var exactScale = scale ?? (1.0 / Math.Sqrt(dim));
        if (float64 || dropoutP > 0f || attnMask is { RequiresGrad: true })
        {
            return AttentionComposed(query, key, value, attnMask, dropoutP, isCausal, exactScale, generator);
        }

        var bias = attnMask is null ? null : AttentionBias(op, attnMask, [.. lead, tq, tk]);
        var pairs = Shapes.Numel(lead);
        var layout = HeadLayout.Contiguous(1, tq, dim);
        var keys = HeadLayout.Contiguous(1, tk, dim);
        var shape = new AttentionShape(pairs, 1, tq, tk, dim, layout, keys, keys, layout, (float)exactScale, isCausal,
            BiasBatchStride: bias is null || bias.Numel == tq * tk ? 0 : tq * tk);
        return Attention(shape, query, key, value, bias, [.. lead, tq, dim], graph: Recomputed(x => x.Length == 1
            ? AttentionComposed(x[0], x[0], x[0], attnMask, 0f, isCausal, exactScale, null)
            : AttentionComposed(x[0], x[1], x[2], attnMask, 0f, isCausal, exactScale, null))).Output;
    }

    /// <summary>
    /// Scaled dot-product attention as tensor ops (MatMul, MaskedSoftmax, Dropout): the path of float64, of dropout
    /// and of a float mask that requires grad, and, recomputed, the fused kernel's backward through tensor ops.
    /// </summary>
    private static Tensor AttentionComposed(Tensor query, Tensor key, Tensor value, Tensor? attnMask, float dropoutP, bool isCausal, double scale, Generator? generator) =>
        Dropout(AttentionWeights(query, key, attnMask, isCausal, scale), dropoutP, training: true, generator).MatMul(value);

    /// <summary>
    /// softmax(q·kᵀ·scale + mask) over the last dimension, as tensor ops. A bool mask (true = attend) and the causal
    /// mask block scores; a float mask is added to them, and the scores it makes −∞ are blocked too, so that a query
    /// row with no key left is zeros, as in the fused kernel. Shared with MultiheadAttention's composed path.
    /// </summary>
    internal static Tensor AttentionWeights(Tensor query, Tensor key, Tensor? attnMask, bool isCausal, double scale)
    {
        var scores = query.MatMul(key.Transpose(-2, -1)) * scale;
        Tensor? blocked = null;
        if (attnMask is { DType: DType.Bool })
        {
            blocked = attnMask.LogicalNot();
        }
        else if (attnMask is not null)
        {
            scores += attnMask;
            blocked = scores.Eq(double.NegativeInfinity);
        }

        if (isCausal)
        {
            var causal = Ones([query.Dims[^2], key.Dims[^2]], DType.Bool).Triu(1);
            blocked = blocked is null ? causal : blocked.LogicalOr(causal);
        }

        return blocked is null ? scores.Softmax(-1) : scores.MaskedSoftmax(blocked, -1);
    }

    /// <summary>
    /// The fused attention of <paramref name="shape"/> over q, k and v read where their layouts say (one
    /// tensor may hold all three, as a packed projection does), into a new tensor of
    /// <paramref name="outputDims"/>. Returns the kernel too, whose probabilities callers may show when they
    /// ask to <paramref name="keep"/> them (they are kept anyway when backward needs them).
    /// </summary>
    internal static (Tensor Output, AttentionKernel Kernel) Attention(AttentionShape shape, Tensor q, Tensor k, Tensor v, Tensor? bias, int[] outputDims, bool keep = false, GraphBackwardFn? graph = null)
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
            output.Record("ScaledDotProductAttention", inputs, (kernel, graph), static (s, _, x, g) =>
            {
                Tensor q = x[0], k = x.Length > 1 ? x[1] : q, v = x.Length > 1 ? x[2] : q;
                s.kernel.Backward(g, q.RequiresGrad ? q.GradAccumulatorArray() : null, k.RequiresGrad ? k.GradAccumulatorArray() : null, v.RequiresGrad ? v.GradAccumulatorArray() : null);
            }, inputs, graph: graph is null ? null : static (s, o, g, x) => s.graph!(o, g, x));
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
