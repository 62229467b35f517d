using Backprop.Fuzz;
using SharpFuzz;

// backprop-fuzz READER           under afl-fuzz: SharpFuzz's fork server feeds each input on standard input.
// backprop-fuzz READER FILE...   replays files (crashes AFL++ found) and prints what escaped; exit 1 if anything did.
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: backprop-fuzz READER [FILE...], READER one of {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

var name = args[0];
var read = FuzzTargets.Reader(name);
var input = Path.Combine(Path.GetTempPath(), $"backprop-fuzz-{Environment.ProcessId}{FuzzTargets.Extension(name)}");
try
{
    if (args.Length == 1)
    {
        // An escape propagates out of the action: SharpFuzz reports it to afl-fuzz as a crash.
        Fuzzer.Run(stream =>
        {
            using (var file = File.Create(input))
            {
                stream.CopyTo(file);
            }

            try
            {
                read(input);
            }
            catch (Exception e) when (FuzzTargets.IsDocumented(name, e))
            {
            }
        });
        return 0;
    }

    // Outside afl-fuzz, SharpFuzz runs the action once, with the instrumented assemblies' trace map set up.
    var escapes = 0;
    Fuzzer.Run(_ =>
    {
        foreach (var path in args.Skip(1))
        {
            File.Copy(path, input, overwrite: true);
            try
            {
                read(input);
                Console.WriteLine($"{path}: read");
            }
            catch (Exception e) when (FuzzTargets.IsDocumented(name, e))
            {
                Console.WriteLine($"{path}: refused: {e.Message}");
            }
            catch (Exception e)
            {
                escapes++;
                Console.WriteLine($"{path}: ESCAPED {e}");
            }
        }
    });

    return escapes == 0 ? 0 : 1;
}
finally
{
    File.Delete(input);
}
