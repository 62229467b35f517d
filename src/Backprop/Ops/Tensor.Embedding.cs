using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Looks up rows of an embedding table, as torch.nn.functional.embedding: indices of any shape give
    /// [..., dim]. The table's gradient is the sum of the gradients of the rows each index picked; the row
    /// of <paramref name="paddingIdx"/>, when given, receives none.
    /// </summary>
    /// <param name="indices">Int64 indices into the table's rows.</param>
    /// <param name="weight">The table, [rows, dim].</param>
    /// <param name="paddingIdx">A row that is looked up but never learned (negative counts from the end), or null.</param>
    /// <returns>The looked-up rows.</returns>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(weight);
        const string op = "Embedding";
        RequireInt64(op, indices, nameof(indices));
        RequireFloating(op, weight);
        if (weight.Rank != 2)
        {
            throw new ArgumentException($"{op}: the weight must be [rows, dim], but it has shape {Shapes.Format(weight.Dims)}.", nameof(weight));
        }

        int rows = weight.Dims[0], dim = weight.Dims[1];
        var padding = paddingIdx is int p ? (p < 0 ? p + rows : p) : -1;
        if (paddingIdx is not null && (padding < 0 || padding >= rows))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"{op}: paddingIdx {paddingIdx} is outside the table's {rows} rows.");
        }

        // Backward reads the indices where they are (saved, so that a change in place is caught), as rows of the table.
        var ids = indices.Storage<long>();
        for (var i = 0; i < ids.Length; i++)
        {
            if ((ulong)ids[i] >= (ulong)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"{op}: index {ids[i]} at position {i} of indices {Shapes.Format(indices.Dims)} is outside the table's {rows} rows (weight {Shapes.Format(weight.Dims)}).");
            }
        }

        if (weight._dtype == DType.Float64)
        {
            // This node does not save the indices, so its backward keeps a copy of them.
            var picked = (long[])ids.Clone();
            return weight.TakeAt(op, EmbeddingPositions(picked, dim, -1), [.. indices.Dims, dim], graph: (o, g, x) => EmbeddingGraph(g, x, picked, dim, padding));
        }

        var result = NewOutput([.. indices.Dims, dim]);
        var table = weight.Data;
        var output = result.Data;
        for (var i = 0; i < ids.Length; i++)
        {
            Array.Copy(table, (int)ids[i] * dim, output, i * dim, dim);
        }

        if (NeedsGrad(weight))
        {
            result.Record(op, [weight], (ids, dim, padding), static (s, _, x, g) =>
            {
                var grad = x[0].GradAccumulator();
                for (var i = 0; i < s.ids.Length; i++)
                {
                    var picked = (int)s.ids[i];
                    if (picked != s.padding)
                    {
                        var row = grad.Slice(picked * s.dim, s.dim);
                        TensorPrimitives.Add(row, g.AsSpan(i * s.dim, s.dim), row);
                    }
                }
            }, [weight, indices], graph: static (s, o, g, x) => EmbeddingGraph(g, x, s.ids, s.dim, s.padding));
        }

        return result;
    }

    /// <summary>The table's gradient through tensor ops: the output's gradient put back at the rows picked, the padding row left out.</summary>
    private static Tensor?[] EmbeddingGraph(Tensor g, Tensor[] x, long[] ids, int dim, int padding) => [g.PutAddAt(EmbeddingPositions(ids, dim, padding), x[0].Dims)];

    /// <summary>The flat table position of every output element, −1 for those of the <paramref name="padding"/> row.</summary>
    private static int[] EmbeddingPositions(long[] ids, int dim, int padding)
    {
        var positions = new int[ids.Length * dim];
        for (var i = 0; i < ids.Length; i++)
        {
            var picked = (int)ids[i];
            for (var j = 0; j < dim; j++)
            {
                positions[(i * dim) + j] = picked == padding ? -1 : (picked * dim) + j;
            }
        }

        return positions;
    }
}
