using System.Numerics.Tensors;

namespace Backprop.Kernels.Recurrent;

/// <summary>
/// One direction of one recurrent layer over a whole sequence, the cell's gates fused per time step: the
/// input projections of every step (x·W_ihᵀ + b_ih, [T, B, G·H], one GEMM outside) are given, and each step
/// adds h·W_hhᵀ + b_hh (a small GEMM) and applies the cell (RNN tanh/relu, LSTM, GRU, PyTorch's gate order)
/// row by row. The activations every step needs for backward are kept in arrays made once per sequence,
/// so a step allocates nothing. Backward runs the steps in reverse (backpropagation through time).
/// </summary>
internal sealed class RecurrentKernel
{
    private readonly CellKind _kind;
    private readonly int _steps;
    private readonly int _batch;
    private readonly int _hidden;
    private readonly bool _reverse;

    /// <summary>Per processing step, the gate activations ([T, B, G·H]: LSTM i, f, g, o; GRU r, z, n).</summary>
    private readonly float[] _gates;

    /// <summary>The hidden state before and after each step ([T + 1, B, H], in processing order).</summary>
    private readonly float[] _hiddenStates;

    /// <summary>LSTM: the cell state before and after each step ([T + 1, B, H]); GRU: W_hn·h + b_hn per step ([T, B, H]).</summary>
    private readonly float[] _extra;

    /// <summary>Sets up a sequence of <paramref name="steps"/> steps of <paramref name="batch"/> rows and <paramref name="hidden"/> units.</summary>
    public RecurrentKernel(CellKind kind, int steps, int batch, int hidden, bool reverse)
    {
        (_kind, _steps, _batch, _hidden, _reverse) = (kind, steps, batch, hidden, reverse);
        _gates = kind is CellKind.Lstm or CellKind.Gru ? new float[steps * batch * Gates(kind) * hidden] : [];
        _hiddenStates = new float[(steps + 1) * batch * hidden];
        _extra = kind switch
        {
            CellKind.Lstm => new float[(steps + 1) * batch * hidden],
            CellKind.Gru => new float[steps * batch * hidden],
            _ => [],
        };
    }

    /// <summary>The gates per cell: 1 (RNN), 4 (LSTM), 3 (GRU).</summary>
    public static int Gates(CellKind kind) => kind switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>
    /// Runs the sequence: <paramref name="output"/> [T, B, H] gets h at each time (in time order, whichever the
    /// direction), and for an LSTM one more row block [B, H] with the last cell state.
    /// </summary>
    public void Forward(float[] inputProjection, float[] hiddenWeight, float[]? hiddenBias, float[] h0, float[]? c0, float[] output)
    {
        int b = _batch, h = _hidden, width = Gates(_kind) * h;
        h0.AsSpan(0, b * h).CopyTo(_hiddenStates);
        if (_kind == CellKind.Lstm)
        {
            c0!.AsSpan(0, b * h).CopyTo(_extra);
        }

        var pre = new float[b * width];
        for (var s = 0; s < _steps; s++)
        {
            var t = Time(s);
            var previous = _hiddenStates.AsSpan(s * b * h, b * h);
            var next = _hiddenStates.AsSpan((s + 1) * b * h, b * h);
            var xw = inputProjection.AsSpan(t * b * width, b * width);

            // The hidden projection h·W_hhᵀ + b_hh; GRU keeps it apart from the input's (its n gate needs r ⊙ it).
            var hw = _kind == CellKind.Gru ? pre.AsSpan() : _kind == CellKind.Lstm ? _gates.AsSpan(s * b * width, b * width) : next;
            FillBias(hw, hiddenBias, b, width);
            if (_kind != CellKind.Gru)
            {
                TensorPrimitives.Add(hw, xw, hw);
            }

            Gemm.Multiply(previous, false, hiddenWeight, true, hw, b, width, h, accumulate: true);
            for (var r = 0; r < b; r++)
            {
                var hPrev = previous.Slice(r * h, h);
                var hNew = next.Slice(r * h, h);
                switch (_kind)
                {
                    case CellKind.RnnTanh:
                        TensorPrimitives.Tanh(hNew, hNew);
                        break;
                    case CellKind.RnnRelu:
                        TensorPrimitives.Max(hNew, 0f, hNew);
                        break;
                    case CellKind.Lstm:
                        LstmStep(_gates.AsSpan(((s * b) + r) * width, width), _extra.AsSpan(((s * b) + r) * h, h), _extra.AsSpan((((s + 1) * b) + r) * h, h), hNew);
                        break;
                    default:
                        GruStep(xw.Slice(r * width, width), pre.AsSpan(r * width, width), _gates.AsSpan(((s * b) + r) * width, width), _extra.AsSpan(((s * b) + r) * h, h), hPrev, hNew);
                        break;
                }
            }

            next.CopyTo(output.AsSpan(t * b * h, b * h));
        }

        if (_kind == CellKind.Lstm)
        {
            _extra.AsSpan(_steps * b * h, b * h).CopyTo(output.AsSpan(_steps * b * h, b * h));
        }
    }

    /// <summary>
    /// Backpropagation through time. <paramref name="gradOutput"/> is laid out as the output; the input
    /// projection's gradient is written to <paramref name="gradInput"/>, W_hh's and b_hh's are added, and the
    /// initial states' are written (each where given).
    /// </summary>
    public void Backward(float[] gradOutput, float[] hiddenWeight, float[]? gradInput, Span<float> gradWeight, Span<float> gradBias, float[]? gradH0, float[]? gradC0)
    {
        int b = _batch, h = _hidden, width = Gates(_kind) * h;
        var dh = new float[b * h];
        var dc = _kind == CellKind.Lstm ? (float[])gradOutput.AsSpan(_steps * b * h, b * h).ToArray() : [];
        var dPre = new float[b * width];
        var dHidden = _kind == CellKind.Gru ? new float[b * width] : dPre;
        var scratch = new float[h];
        for (var s = _steps - 1; s >= 0; s--)
        {
            var t = Time(s);
            var previous = _hiddenStates.AsSpan(s * b * h, b * h);
            var current = _hiddenStates.AsSpan((s + 1) * b * h, b * h);
            TensorPrimitives.Add(dh, gradOutput.AsSpan(t * b * h, b * h), dh);
            for (var r = 0; r < b; r++)
            {
                var g = dh.AsSpan(r * h, h);
                var dRow = dPre.AsSpan(r * width, width);
                switch (_kind)
                {
                    case CellKind.RnnTanh:
                        // tanh' = 1 − h²
                        TensorPrimitives.Multiply(current.Slice(r * h, h), current.Slice(r * h, h), scratch);
                        TensorPrimitives.Subtract(1f, scratch, scratch);
                        TensorPrimitives.Multiply(g, scratch, dRow);
                        break;
                    case CellKind.RnnRelu:
                        for (var j = 0; j < h; j++)
                        {
                            dRow[j] = current[(r * h) + j] > 0f ? g[j] : 0f;
                        }

                        break;
                    case CellKind.Lstm:
                        LstmBackStep(_gates.AsSpan(((s * b) + r) * width, width), _extra.AsSpan(((s * b) + r) * h, h), _extra.AsSpan((((s + 1) * b) + r) * h, h), g, dc.AsSpan(r * h, h), dRow);
                        break;
                    default:
                        GruBackStep(_gates.AsSpan(((s * b) + r) * width, width), _extra.AsSpan(((s * b) + r) * h, h), previous.Slice(r * h, h), g, dRow, dHidden.AsSpan(r * width, width));
                        break;
                }
            }

            // dh now holds what flows to h_{t−1} directly (GRU's z·dh; nothing otherwise), to which dHidden·W_hh is added.
            if (_kind != CellKind.Gru)
            {
                Array.Clear(dh);
            }

            if (gradInput is not null)
            {
                dPre.AsSpan().CopyTo(gradInput.AsSpan(t * b * width, b * width));
            }
            if (!gradWeight.IsEmpty)
            {
                Gemm.Multiply(dHidden, true, previous, false, gradWeight, width, h, b, accumulate: true);
            }

            if (!gradBias.IsEmpty)
            {
                for (var r = 0; r < b; r++)
                {
                    TensorPrimitives.Add(gradBias, dHidden.AsSpan(r * width, width), gradBias);
                }
            }

            Gemm.Multiply(dHidden, false, hiddenWeight, false, dh, b, h, width, accumulate: true);
        }

        if (gradH0 is not null)
        {
            dh.CopyTo(gradH0, 0);
        }

        if (gradC0 is not null)
        {
            dc.CopyTo(gradC0, 0);
        }
    }

    private int Time(int step) => _reverse ? _steps - 1 - step : step;

    private static void FillBias(Span<float> rows, float[]? bias, int count, int width)
    {
        if (bias is null)
        {
            rows.Clear();
            return;
        }

        for (var r = 0; r < count; r++)
        {
            bias.AsSpan(0, width).CopyTo(rows.Slice(r * width, width));
        }
    }

    /// <summary>Turns one row's pre-activations [i, f, g, o] into activations in place; c = f·c₋ + i·g, h = o·tanh(c).</summary>
    private static void LstmStep(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
    {
        var n = c.Length;
        TensorPrimitives.Sigmoid(gates[..(2 * n)], gates[..(2 * n)]);
        TensorPrimitives.Tanh(gates.Slice(2 * n, n), gates.Slice(2 * n, n));
        TensorPrimitives.Sigmoid(gates.Slice(3 * n, n), gates.Slice(3 * n, n));
        TensorPrimitives.Multiply(gates.Slice(n, n), cPrev, c);
        TensorPrimitives.MultiplyAdd(gates[..n], gates.Slice(2 * n, n), c, c);
        TensorPrimitives.Tanh(c, h);
        TensorPrimitives.Multiply(gates.Slice(3 * n, n), h, h);
    }

    /// <summary>
    /// One row of an LSTM step backward: from dh and dc (updated in place to the previous step's dc), the
    /// pre-activation gradients [di, df, dg, do].
    /// </summary>
    private static void LstmBackStep(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> dh, Span<float> dc, Span<float> dPre)
    {
        var n = c.Length;
        for (var j = 0; j < n; j++)
        {
            float i = gates[j], f = gates[n + j], g = gates[(2 * n) + j], o = gates[(3 * n) + j];
            var tc = MathF.Tanh(c[j]);
            var dcj = dc[j] + (dh[j] * o * (1f - (tc * tc)));
            dPre[j] = dcj * g * i * (1f - i);
            dPre[n + j] = dcj * cPrev[j] * f * (1f - f);
            dPre[(2 * n) + j] = dcj * i * (1f - (g * g));
            dPre[(3 * n) + j] = dh[j] * tc * o * (1f - o);
            dc[j] = dcj * f;
        }
    }

    /// <summary>One row of a GRU step: r, z from the summed projections, n = tanh(x_n + r·(W_hn·h + b_hn)), h = n + z·(h₋ − n).</summary>
    private static void GruStep(ReadOnlySpan<float> xw, ReadOnlySpan<float> hw, Span<float> gates, Span<float> hiddenN, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        var n = h.Length;
        TensorPrimitives.Add(xw[..(2 * n)], hw[..(2 * n)], gates[..(2 * n)]);
        TensorPrimitives.Sigmoid(gates[..(2 * n)], gates[..(2 * n)]);
        hw.Slice(2 * n, n).CopyTo(hiddenN);
        var candidate = gates.Slice(2 * n, n);
        TensorPrimitives.MultiplyAdd(gates[..n], hiddenN, xw.Slice(2 * n, n), candidate);
        TensorPrimitives.Tanh(candidate, candidate);
        TensorPrimitives.Subtract(hPrev, candidate, h);
        TensorPrimitives.MultiplyAdd(gates.Slice(n, n), h, candidate, h);
    }

    /// <summary>
    /// One row of a GRU step backward: the input projection's gradient [dr, dz, dn], the hidden projection's
    /// [dr, dz, dn·r], and in <paramref name="dh"/> the share that flows to h₋ directly (dh·z).
    /// </summary>
    private static void GruBackStep(ReadOnlySpan<float> gates, ReadOnlySpan<float> hiddenN, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dInput, Span<float> dHidden)
    {
        var n = hPrev.Length;
        for (var j = 0; j < n; j++)
        {
            float r = gates[j], z = gates[n + j], c = gates[(2 * n) + j], g = dh[j];
            var dn = g * (1f - z) * (1f - (c * c));
            var dz = g * (hPrev[j] - c) * z * (1f - z);
            var dr = dn * hiddenN[j] * r * (1f - r);
            (dInput[j], dInput[n + j], dInput[(2 * n) + j]) = (dr, dz, dn);
            (dHidden[j], dHidden[n + j], dHidden[(2 * n) + j]) = (dr, dz, dn * r);
            dh[j] = g * z;
        }
    }
}
