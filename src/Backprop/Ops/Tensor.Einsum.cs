using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Einstein summation, as torch.einsum: "bhqd,bhkd->bhqk" multiplies along the indices the operands share
    /// and sums those missing from the output. Without "->" the output holds the indices that appear once, in
    /// alphabetical order. Each pair of operands becomes one batched MatMul (with permutes and reshapes), so the
    /// result is differentiable and as fast as MatMul. Indices are letters; each appears at most once per
    /// operand (no diagonals) and has one size everywhere; "..." is not supported.
    /// </summary>
    /// <param name="equation">The subscripts, e.g. "ij,jk->ik", "bi,ij,bj->b", "ij->ji".</param>
    /// <param name="operands">The tensors, one per comma-separated term.</param>
    /// <returns>The result.</returns>
    public static Tensor Einsum(string equation, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(operands);
        var (terms, output) = ParseEinsum(equation, operands);
        var sizes = new Dictionary<char, int>();
        for (var t = 0; t < terms.Length; t++)
        {
            for (var i = 0; i < terms[t].Length; i++)
            {
                var size = operands[t].Dims[i];
                if (sizes.TryGetValue(terms[t][i], out var known) && known != size)
                {
                    throw new ArgumentException($"Einsum '{equation}': index '{terms[t][i]}' is {known} in one place and {size} in operand {t} {Shapes.Format(operands[t].Dims)}.", nameof(operands));
                }

                sizes[terms[t][i]] = size;
            }
        }

        var current = operands[0];
        var indices = terms[0];
        for (var t = 1; t < terms.Length; t++)
        {
            var needed = string.Concat(terms.Skip(t + 1)) + output;
            (current, indices) = Contract(current, indices, operands[t], terms[t], needed, sizes);
        }

        current = SumOut(current, indices, output, out indices);
        return current.Permute([.. output.Select(c => indices.IndexOf(c, StringComparison.Ordinal))]);
    }

    private static (string[] Terms, string Output) ParseEinsum(string equation, Tensor[] operands)
    {
        var text = equation.Replace(" ", string.Empty, StringComparison.Ordinal);
        var arrow = text.IndexOf("->", StringComparison.Ordinal);
        var terms = (arrow < 0 ? text : text[..arrow]).Split(',');
        string output;
        if (arrow >= 0)
        {
            output = text[(arrow + 2)..];
        }
        else
        {
            var all = string.Concat(terms);
            output = new string([.. all.Distinct().Where(c => all.Count(x => x == c) == 1).Order()]);
        }

        if (terms.Length != operands.Length)
        {
            throw new ArgumentException($"Einsum '{equation}': {terms.Length} terms but {operands.Length} operands.", nameof(operands));
        }

        for (var t = 0; t < terms.Length; t++)
        {
            ArgumentNullException.ThrowIfNull(operands[t]);
            if (!terms[t].All(char.IsAsciiLetter) || terms[t].Distinct().Count() != terms[t].Length)
            {
                throw new ArgumentException($"Einsum '{equation}': term '{terms[t]}' must be distinct letters (no '...' and no repeated index).", nameof(equation));
            }

            if (terms[t].Length != operands[t].Rank)
            {
                throw new ArgumentException($"Einsum '{equation}': term '{terms[t]}' has {terms[t].Length} indices but operand {t} has shape {Shapes.Format(operands[t].Dims)}.", nameof(operands));
            }
        }

        var inputs = string.Concat(terms);
        if (output.Distinct().Count() != output.Length || output.Any(c => !inputs.Contains(c, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Einsum '{equation}': the output '{output}' must be distinct indices of the inputs.", nameof(equation));
        }

        return (terms, output);
    }

    /// <summary>Sums out the indices of <paramref name="t"/> that <paramref name="keep"/> does not name.</summary>
    private static Tensor SumOut(Tensor t, string indices, string keep, out string kept)
    {
        var drop = Enumerable.Range(0, indices.Length).Where(i => !keep.Contains(indices[i], StringComparison.Ordinal)).ToArray();
        kept = new string([.. indices.Where(c => keep.Contains(c, StringComparison.Ordinal))]);
        return drop.Length == 0 ? t : t.Sum(drop);
    }

    /// <summary>One pairwise step: a·b over their shared indices, keeping those in <paramref name="needed"/>, as one batched MatMul.</summary>
    private static (Tensor Result, string Indices) Contract(Tensor a, string ai, Tensor b, string bi, string needed, Dictionary<char, int> sizes)
    {
        a = SumOut(a, ai, bi + needed, out ai);
        b = SumOut(b, bi, ai + needed, out bi);
        var batch = new string([.. ai.Where(c => bi.Contains(c, StringComparison.Ordinal) && needed.Contains(c, StringComparison.Ordinal))]);
        var contract = new string([.. ai.Where(c => bi.Contains(c, StringComparison.Ordinal) && !needed.Contains(c, StringComparison.Ordinal))]);
        var left = new string([.. ai.Where(c => !bi.Contains(c, StringComparison.Ordinal))]);
        var right = new string([.. bi.Where(c => !ai.Contains(c, StringComparison.Ordinal))]);
        int Size(string s) => s.Aggregate(1, (n, c) => n * sizes[c]);
        var am = a.Permute(Order(ai, batch + left + contract)).Reshape(Size(batch), Size(left), Size(contract));
        var bm = b.Permute(Order(bi, batch + contract + right)).Reshape(Size(batch), Size(contract), Size(right));
        var indices = batch + left + right;
        return (am.MatMul(bm).Reshape([.. indices.Select(c => sizes[c])]), indices);
    }

    private static int[] Order(string from, string to) => [.. to.Select(c => from.IndexOf(c, StringComparison.Ordinal))];
}
