using Backprop.Kernels;
using Backprop.Kernels.Attention;

namespace Backprop.NN;

/// <summary>
/// Multi-head attention, as torch.nn.MultiheadAttention: the query, key and value are projected by the
/// packed <see cref="InProjWeight"/> [3E, E], split into heads, attended (scaled dot product, softmax) and
/// projected back by <see cref="OutProj"/>. Inputs are [T, B, E] (or [B, T, E] with batchFirst, or
/// unbatched [T, E]). The heads are read from the projection where it wrote them: no per-head copies.
/// Masks follow PyTorch's conventions for this module (true means "masked out") and receive no gradient;
/// the returned attention weights are for looking at, and carry no gradient either.
/// </summary>
public sealed class MultiheadAttention : Module
{
    /// <summary>Makes the layer with PyTorch's initialisation: Xavier-uniform input projection, zero biases.</summary>
    /// <param name="embedDim">The width E of queries, keys, values and output.</param>
    /// <param name="numHeads">The number of heads; E must divide by it.</param>
    /// <param name="dropout">The probability of dropping an attention weight in training.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, E] rather than [T, B, E].</param>
    /// <param name="generator">The random source of initialisation and dropout; null uses <see cref="Generator.Default"/>.</param>
    public MultiheadAttention(int embedDim, int numHeads, float dropout = 0f, bool bias = true, bool batchFirst = false, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
        {
            throw new ArgumentException($"MultiheadAttention: embedDim ({embedDim}) must be a positive multiple of numHeads ({numHeads}).", nameof(numHeads));
        }

        if (dropout is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), $"MultiheadAttention: dropout must be in [0, 1), got {dropout}.");
        }

        EmbedDim = embedDim;
        NumHeads = numHeads;
        Dropout = dropout;
        BatchFirst = batchFirst;
        Generator = generator;
        InProjWeight = RegisterParameter("in_proj_weight", new Parameter(Init.XavierUniform(Tensor.Zeros(3 * embedDim, embedDim), generator)));
        if (bias)
        {
            InProjBias = RegisterParameter("in_proj_bias", new Parameter(Tensor.Zeros(3 * embedDim)));
        }

        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, generator));
        if (OutProj.Bias is not null)
        {
            Init.Zeros(OutProj.Bias);
        }
    }

    /// <summary>The width E.</summary>
    public int EmbedDim { get; }

    /// <summary>The number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>The dropout probability on the attention weights.</summary>
    public float Dropout { get; }

    /// <summary>Whether inputs are [B, T, E].</summary>
    public bool BatchFirst { get; }

    /// <summary>The query, key and value projections stacked, [3E, E].</summary>
    public Parameter InProjWeight { get; }

    /// <summary>Their biases, [3E], or null.</summary>
    public Parameter? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    private Generator? Generator { get; }

    /// <summary>Self-attention of <paramref name="x"/> (query, key and value alike), without weights.</summary>
    /// <param name="x">The sequence.</param>
    /// <returns>The attended sequence, shaped like <paramref name="x"/>.</returns>
    public Tensor Forward(Tensor x) => Forward(x, x, x, needWeights: false).Output;

    /// <summary>Attends the queries to the keys and values, as PyTorch's forward.</summary>
    /// <param name="query">[Tq, B, E] ([B, Tq, E] with batchFirst, or [Tq, E]).</param>
    /// <param name="key">[Tk, B, E], laid out like the query.</param>
    /// <param name="value">[Tk, B, E], laid out like the key.</param>
    /// <param name="keyPaddingMask">[B, Tk] (or [Tk]): bool, true where a key is padding and must be ignored; or float, added to the scores.</param>
    /// <param name="needWeights">Whether to return the attention weights.</param>
    /// <param name="attnMask">[Tq, Tk] or [B·heads, Tq, Tk]: bool, true where attention is not allowed; or float, added to the scores.</param>
    /// <param name="averageAttnWeights">Whether the weights are averaged over the heads ([B, Tq, Tk]) or per head ([B, heads, Tq, Tk]).</param>
    /// <param name="isCausal">Whether query i may attend only to keys 0..i (on top of any mask).</param>
    /// <returns>The output, shaped like the query, and the weights when asked for.</returns>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, bool needWeights = true, Tensor? attnMask = null, bool averageAttnWeights = true, bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var unbatched = query.Rank == 2;
        if (unbatched)
        {
            var (o, w) = Forward(Batch(query), Batch(key), Batch(value), keyPaddingMask?.Unsqueeze(0), needWeights, attnMask, averageAttnWeights, isCausal);
            return (BatchFirst ? o.Squeeze(0) : o.Squeeze(1), w?.Squeeze(0));
        }

        var (batch, tq, tk) = CheckShapes(query, key, value);
        int e = EmbedDim, heads = NumHeads, dim = e / heads;
        var bias = MaskBias(keyPaddingMask, attnMask, batch, tq, tk);
        Tensor q, k, v;
        HeadLayout qLayout, kLayout, vLayout;
        if (ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            q = k = v = Tensor.Linear(query, InProjWeight, InProjBias);
            (qLayout, kLayout, vLayout) = (Layout(tq, batch, 3 * e, dim, 0), Layout(tq, batch, 3 * e, dim, e), Layout(tq, batch, 3 * e, dim, 2 * e));
        }
        else
        {
            q = Project(query, 0, 1);
            qLayout = Layout(tq, batch, e, dim, 0);
            if (ReferenceEquals(key, value))
            {
                k = v = Project(key, 1, 2);
                (kLayout, vLayout) = (Layout(tk, batch, 2 * e, dim, 0), Layout(tk, batch, 2 * e, dim, e));
            }
            else
            {
                (k, v) = (Project(key, 1, 1), Project(value, 2, 1));
                (kLayout, vLayout) = (Layout(tk, batch, e, dim, 0), Layout(tk, batch, e, dim, 0));
            }
        }

        var scale = 1f / MathF.Sqrt(dim);
        var outDims = new[] { query.Size(0), query.Size(1), e };
        Tensor attended;
        Tensor? weights = null;
        if ((Training && Dropout > 0f) || q.DType == DType.Float64)
        {
            var p = Training ? Dropout : 0f;
            (attended, weights) = Composed(Heads(q, qLayout, batch, tq), Heads(k, kLayout, batch, tk), Heads(v, vLayout, batch, tk), bias?.To(q.DType), isCausal, scale, p);
        }
        else
        {
            var shape = new AttentionShape(batch, heads, tq, tk, dim, qLayout, kLayout, vLayout, Layout(tq, batch, e, dim, 0), scale, isCausal,
                BiasBatchStride: bias is null || bias.Rank == 2 ? 0 : bias.Size(1) * tq * tk, BiasHeadStride: bias is null || bias.Rank == 2 || bias.Size(1) == 1 ? 0 : tq * tk);

            // The backward through tensor ops (createGraph) recomputes the heads from the packed projections it was given.
            var graph = Tensor.Recomputed(x =>
            {
                var (qx, kx, vx) = x.Length == 1 ? (x[0], x[0], x[0]) : (x[0], x[1], x[2]);
                return Composed(Heads(qx, qLayout, batch, tq), Heads(kx, kLayout, batch, tk), Heads(vx, vLayout, batch, tk), bias, isCausal, scale, 0f).Output;
            });
            var (output, kernel) = Tensor.Attention(shape, q, k, v, bias, outDims, keep: needWeights, graph);
            attended = output;
            weights = needWeights ? Tensor.FromArray(kernel.Probabilities!, [batch, heads, tq, tk]) : null;
        }

        var result = OutProj.Call(attended);
        if (!needWeights || weights is null)
        {
            return (result, null);
        }

        weights = weights.Detach();
        return (result, averageAttnWeights ? weights.Mean([1]) : weights);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features={EmbedDim}, out_features={EmbedDim}, bias={OutProj.Bias is not null})\n)";

    private Tensor Batch(Tensor t) => BatchFirst ? t.Unsqueeze(0) : t.Unsqueeze(1);

    /// <summary>The rows <paramref name="first"/>·E onwards of the packed projection, <paramref name="parts"/> of E each, applied to <paramref name="x"/>.</summary>
    private Tensor Project(Tensor x, int first, int parts) =>
        Tensor.Linear(x, InProjWeight.Narrow(0, first * EmbedDim, parts * EmbedDim), InProjBias?.Narrow(0, first * EmbedDim, parts * EmbedDim));

    /// <summary>Where head h of batch item b at time t starts in a projection of <paramref name="width"/> columns, for this layer's layout.</summary>
    private HeadLayout Layout(int steps, int batch, int width, int dim, int column) =>
        BatchFirst ? HeadLayout.Interleaved(steps, width, dim, column) : new HeadLayout(column, width, dim, batch * width);

    /// <summary>A projection's heads as a contiguous [B, H, T, D] tensor (for the composed path with dropout).</summary>
    private Tensor Heads(Tensor projection, HeadLayout layout, int batch, int steps)
    {
        var dim = EmbedDim / NumHeads;
        var rows = BatchFirst ? projection : projection.Transpose(0, 1);
        return rows.Narrow(2, layout.Offset, EmbedDim).Reshape(batch, steps, NumHeads, dim).Permute(0, 2, 1, 3);
    }

    /// <summary>
    /// Attention of [B, H, T, D] heads composed of MatMul, MaskedSoftmax and Dropout (with probability
    /// <paramref name="p"/>), with the weights it used: the path of dropout and of float64, and the fused kernel's
    /// backward through tensor ops (<see cref="Tensor.AttentionWeights"/>; the masks' −∞ are left out, so a row with
    /// none left is zeros, as in the kernel).
    /// </summary>
    private (Tensor Output, Tensor Weights) Composed(Tensor q, Tensor k, Tensor v, Tensor? bias, bool causal, float scale, float p)
    {
        var probabilities = Tensor.AttentionWeights(q, k, bias, causal, scale);
        var weights = Tensor.Dropout(probabilities, p, training: true, Generator);
        var heads = weights.MatMul(v).Permute(0, 2, 1, 3).Reshape(q.Size(0), q.Size(2), EmbedDim);
        return (BatchFirst ? heads : heads.Transpose(0, 1), weights);
    }

    private (int Batch, int QuerySteps, int KeySteps) CheckShapes(Tensor query, Tensor key, Tensor value)
    {
        var layout = BatchFirst ? "[B, T, E]" : "[T, B, E]";
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3 || query.Size(2) != EmbedDim || key.Size(2) != EmbedDim || value.Size(2) != EmbedDim
            || !key.Shape.SequenceEqual(value.Shape) || (BatchFirst ? query.Size(0) != key.Size(0) : query.Size(1) != key.Size(1)))
        {
            throw new ArgumentException($"MultiheadAttention: query {Shapes.Format(query.Dims)}, key {Shapes.Format(key.Dims)} and value {Shapes.Format(value.Dims)} must be {layout} with E = {EmbedDim}, one batch size, and the key's shape for the value.", nameof(query));
        }

        return BatchFirst ? (query.Size(0), query.Size(1), key.Size(1)) : (query.Size(1), query.Size(0), key.Size(0));
    }

    /// <summary>The masks as one additive float bias: [Tq, Tk], or [B, 1 or heads, Tq, Tk].</summary>
    private Tensor? MaskBias(Tensor? keyPadding, Tensor? attn, int batch, int tq, int tk)
    {
        Tensor? bias = null;
        if (attn is not null)
        {
            var ok = (attn.Rank == 2 && attn.Size(0) == tq && attn.Size(1) == tk) || (attn.Rank == 3 && attn.Size(0) == batch * NumHeads && attn.Size(1) == tq && attn.Size(2) == tk);
            if (!ok)
            {
                throw new ArgumentException($"MultiheadAttention: attnMask {Shapes.Format(attn.Dims)} must be [{tq}, {tk}] or [{batch * NumHeads}, {tq}, {tk}] (Tq, Tk; or B·heads, Tq, Tk).", nameof(attn));
            }

            bias = Additive(attn, "attnMask");
            bias = bias.Rank == 3 ? bias.Reshape(batch, NumHeads, tq, tk) : bias;
        }

        if (keyPadding is not null)
        {
            if (keyPadding.Rank != 2 || keyPadding.Size(0) != batch || keyPadding.Size(1) != tk)
            {
                throw new ArgumentException($"MultiheadAttention: keyPaddingMask {Shapes.Format(keyPadding.Dims)} must be [{batch}, {tk}] (B, Tk).", nameof(keyPadding));
            }

            var padding = Additive(keyPadding, "keyPaddingMask").Reshape(batch, 1, 1, tk);
            bias = bias is null ? padding.Expand(batch, 1, tq, tk) : bias + padding;
        }

        return bias?.Detach();
    }

    private static Tensor Additive(Tensor mask, string name) => mask.DType switch
    {
        DType.Bool => Tensor.Where(mask, double.NegativeInfinity, Tensor.Zeros(1)),
        DType.Float32 => mask,
        _ => throw new ArgumentException($"MultiheadAttention: {name} is {mask.DType.Name()}; it must be bool or float32.", name),
    };
}
