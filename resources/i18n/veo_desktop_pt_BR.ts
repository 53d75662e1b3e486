<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
    <context>
        <name />
        <message>
            <source>retired</source>
            <translation>descontinuado</translation>
        </message>
        <message>
            <source>Google has retired this model; choose a current one.</source>
            <translation>O Google descontinuou este modelo; escolha um atual.</translation>
        </message>
        <message>
            <source>preview</source>
            <translation>prévia</translation>
        </message>
        <message>
            <source>A preview model: Google may change or withdraw it without notice.</source>
            <translation>Um modelo em prévia: o Google pode mudá-lo ou retirá-lo sem aviso.</translation>
        </message>
        <message>
            <source>unverified price</source>
            <translation>preço não confirmado</translation>
        </message>
        <message>
            <source>Google has not confirmed this price: the cost shown is an estimate.</source>
            <translation>O Google não confirmou este preço: o custo mostrado é uma estimativa.</translation>
        </message>
        <message>
            <source>%1 (%2)</source>
            <translation>%1 (%2)</translation>
        </message>
        <message>
            <source>%1 s</source>
            <translation>%1 s</translation>
        </message>
        <message>
            <source>%1–%2 s</source>
            <translation>%1–%2 s</translation>
        </message>
        <message>
            <source>up to %1 videos per job</source>
            <translation>até %1 vídeos por tarefa</translation>
        </message>
        <message>
            <source>~%1 s</source>
            <translation>~%1 s</translation>
        </message>
        <message>
            <source>~%1 min</source>
            <translation>~%1 min</translation>
        </message>
        <message>
            <source>~%1 h %2 min</source>
            <translation>~%1 h %2 min</translation>
        </message>
        <message>
            <source>Google refused the request</source>
            <translation>o Google recusou o pedido</translation>
        </message>
        <message>
            <source>the model is unknown or retired</source>
            <translation>o modelo é desconhecido ou foi descontinuado</translation>
        </message>
        <message>
            <source>Google had server problems when starting it</source>
            <translation>o Google teve problemas no servidor ao iniciá-lo</translation>
        </message>
        <message>
            <source>blocked by Google's safety checks</source>
            <translation>bloqueado pelas verificações de segurança do Google</translation>
        </message>
        <message>
            <source>Google could not make this video</source>
            <translation>o Google não conseguiu fazer este vídeo</translation>
        </message>
        <message>
            <source>Google finished without returning a video</source>
            <translation>o Google terminou sem devolver um vídeo</translation>
        </message>
        <message>
            <source>the video expired at Google before it was downloaded</source>
            <translation>o vídeo expirou no Google antes de ser baixado</translation>
        </message>
        <message>
            <source>Google answered something unexpected</source>
            <translation>o Google respondeu algo inesperado</translation>
        </message>
        <message>
            <source>you gave up on a start whose outcome was unknown</source>
            <translation>você desistiu de um início de resultado desconhecido</translation>
        </message>
        <message>
            <source>a problem on this computer</source>
            <translation>um problema neste computador</translation>
        </message>
        <message>
            <source>no reason was recorded</source>
            <translation>nenhum motivo foi registrado</translation>
        </message>
        <message>
            <source>In the queue — position %1</source>
            <translation>Na fila — posição %1</translation>
        </message>
        <message>
            <source> · starting next</source>
            <translation> · é o próximo</translation>
        </message>
        <message>
            <source>Another creator's video — position %1</source>
            <translation>Vídeo de outra pessoa — posição %1</translation>
        </message>
        <message>
            <source> · starts in %1</source>
            <translation> · começa em %1</translation>
        </message>
        <message>
            <source>Waiting for Google's quota, retrying in %1 s</source>
            <translation>Aguardando a cota do Google, nova tentativa em %1 s</translation>
        </message>
        <message>
            <source>Paused — position %1</source>
            <translation>Pausado — posição %1</translation>
        </message>
        <message>
            <source>Starting at Google…</source>
            <translation>Iniciando no Google…</translation>
        </message>
        <message>
            <source>Generating · %1</source>
            <translation>Gerando · %1</translation>
        </message>
        <message>
            <source> · %1 left</source>
            <translation> · faltam %1</translation>
        </message>
        <message>
            <source>Downloading the video…</source>
            <translation>Baixando o vídeo…</translation>
        </message>
        <message>
            <source>Ready · took %1</source>
            <translation>Pronto · levou %1</translation>
        </message>
        <message>
            <source>Ready</source>
            <translation>Pronto</translation>
        </message>
        <message>
            <source>Filtered by Google's safety checks (not charged)</source>
            <translation>Bloqueado pelos filtros de segurança do Google (sem cobrança)</translation>
        </message>
        <message>
            <source>Failed: %1</source>
            <translation>Falhou: %1</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Cancelado</translation>
        </message>
        <message>
            <source>Start outcome unknown — holding a slot until %1 in case Google started it</source>
            <translation>Resultado do início desconhecido — vaga reservada até %1 caso o Google o tenha iniciado</translation>
        </message>
        <message>
            <source>Start outcome unknown — choose retry or give up</source>
            <translation>Início incerto — escolha tentar de novo ou desistir</translation>
        </message>
        <message>
            <source>%1 variations</source>
            <translation>%1 variações</translation>
        </message>
        <message>
            <source> · refunded</source>
            <translation> · reembolsado</translation>
        </message>
        <message>
            <source> · refunded %1</source>
            <translation> · reembolsado %1</translation>
        </message>
        <message>
            <source>Prompt</source>
            <translation>Prompt</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>Configurações</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Cost</source>
            <translation>Custo</translation>
        </message>
        <message>
            <source>%1's video; prompts stay private to their creator.</source>
            <translation>Vídeo de %1; os prompts ficam privados para quem os criou.</translation>
        </message>
        <message>
            <source>Batch: %1</source>
            <translation>Lote: %1</translation>
        </message>
        <message>
            <source>Simulator mode: nothing is sent to Google and nothing is charged.</source>
            <translation>Modo simulador: nada é enviado ao Google e nada é cobrado.</translation>
        </message>
        <message>
            <source>Settings could not be saved: %1</source>
            <translation>Não foi possível salvar as configurações: %1</translation>
        </message>
        <message>
            <source>Settings saved. The store location and the language apply at the next launch.</source>
            <translation>Configurações salvas. O local da fila e o idioma valem a partir da próxima abertura.</translation>
        </message>
        <message>
            <source>Settings saved and applied.</source>
            <translation>Configurações salvas e aplicadas.</translation>
        </message>
        <message>
            <source>Veo Desktop cannot open its queue</source>
            <translation>O Veo Desktop não consegue abrir a fila</translation>
        </message>
        <message>
            <source>Something went wrong</source>
            <translation>Algo deu errado</translation>
        </message>
        <message>
            <source>Veo Desktop hit an unexpected error. Your queue is safe; the details are in the log at %1.</source>
            <translation>O Veo Desktop encontrou um erro inesperado. Sua fila está segura; os detalhes estão no log em %1.</translation>
        </message>
        <message>
            <source>An AI Studio key</source>
            <translation>Uma chave do AI Studio</translation>
        </message>
        <message>
            <source>Makes videos with Gemini Omni Flash, not Veo: Google shut down Veo on the Gemini API on 22 October 2026, and Omni Flash is the video model AI Studio keys make videos with now.</source>
            <translation>Faz vídeos com o Gemini Omni Flash, não com o Veo: o Google desligou o Veo na API do Gemini em 22 de outubro de 2026, e o Omni Flash é o modelo de vídeo das chaves do AI Studio agora.</translation>
        </message>
        <message>
            <source>Get a key from &lt;a href="%1"&gt;Google AI Studio&lt;/a&gt;.</source>
            <translation>Obtenha uma chave no &lt;a href="%1"&gt;Google AI Studio&lt;/a&gt;.</translation>
        </message>
        <message>
            <source>A Vertex API key</source>
            <translation>Uma chave de API da Vertex</translation>
        </message>
        <message>
            <source>Makes videos with Veo 3.1 through Vertex AI express mode (a key, no project). Google does not offer Veo in express mode to every account.</source>
            <translation>Faz vídeos com o Veo 3.1 pelo modo expresso da Vertex AI (uma chave, sem projeto). O Google não oferece o Veo no modo expresso a todas as contas.</translation>
        </message>
        <message>
            <source>Get a key from &lt;a href="%1"&gt;Vertex AI express mode&lt;/a&gt;.</source>
            <translation>Obtenha uma chave no &lt;a href="%1"&gt;modo expresso da Vertex AI&lt;/a&gt;.</translation>
        </message>
        <message>
            <source>A Google Cloud project</source>
            <translation>Um projeto do Google Cloud</translation>
        </message>
        <message>
            <source>Makes videos with Veo 3.1 through Vertex AI in your own project and region, signed in with a service account's JSON key file (kept in your system keyring) or Application Default Credentials.</source>
            <translation>Faz vídeos com o Veo 3.1 pela Vertex AI no seu próprio projeto e região, entrando com o arquivo de chave JSON de uma conta de serviço (guardado no chaveiro do sistema) ou com as Application Default Credentials.</translation>
        </message>
        <message>
            <source>How to &lt;a href="%1"&gt;set up a project for Vertex AI&lt;/a&gt;.</source>
            <translation>Como &lt;a href="%1"&gt;preparar um projeto para a Vertex AI&lt;/a&gt;.</translation>
        </message>
        <message>
            <source>Videos still generating</source>
            <translation>Vídeos ainda sendo gerados</translation>
        </message>
        <message>
            <source>%1 videos are still being made at Google.</source>
            <translation>%1 vídeos ainda estão sendo feitos no Google.</translation>
        </message>
        <message>
            <source>They continue there. When you open Veo Desktop again, it picks them up and downloads them. Nothing is lost and nothing starts again. Waiting videos stay in the queue.</source>
            <translation>Eles continuam lá. Quando você abrir o Veo Desktop de novo, ele os retoma e baixa. Nada se perde e nada recomeça. Os vídeos em espera continuam na fila.</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Sair</translation>
        </message>
        <message>
            <source>Keep open</source>
            <translation>Manter aberto</translation>
        </message>
        <message>
            <source>The team database cannot be reached; queueing is refused until it is back.</source>
            <translation>O banco de dados da equipe está inacessível; nada entra na fila até ele voltar.</translation>
        </message>
        <message>
            <source>Local queue</source>
            <translation>Fila local</translation>
        </message>
        <message>
            <source>Team: %1</source>
            <translation>Equipe: %1</translation>
        </message>
        <message>
            <source> · %1 online</source>
            <translation> · %1 online</translation>
        </message>
        <message>
            <source>Queue store</source>
            <translation>Armazenamento da fila</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modelo</translation>
        </message>
        <message>
            <source>Negative prompt</source>
            <translation>Prompt negativo</translation>
        </message>
        <message>
            <source>Aspect ratio</source>
            <translation>Proporção</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>Duração</translation>
        </message>
        <message>
            <source>Resolution</source>
            <translation>Resolução</translation>
        </message>
        <message>
            <source>Variations</source>
            <translation>Variações</translation>
        </message>
        <message>
            <source>Audio</source>
            <translation>Áudio</translation>
        </message>
        <message>
            <source>Prompt rewriting</source>
            <translation>Reescrita do prompt</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>Semente</translation>
        </message>
        <message>
            <source>People</source>
            <translation>Pessoas</translation>
        </message>
        <message>
            <source>Resize</source>
            <translation>Redimensionar</translation>
        </message>
        <message>
            <source>Quality</source>
            <translation>Qualidade</translation>
        </message>
        <message>
            <source>Start frame</source>
            <translation>Quadro inicial</translation>
        </message>
        <message>
            <source>End frame</source>
            <translation>Quadro final</translation>
        </message>
        <message>
            <source>Reference images</source>
            <translation>Imagens de referência</translation>
        </message>
        <message>
            <source>Extends</source>
            <translation>Estende</translation>
        </message>
        <message>
            <source>Refines</source>
            <translation>Refina</translation>
        </message>
        <message>
            <source>Continues</source>
            <translation>Continua</translation>
        </message>
        <message>
            <source>Batch</source>
            <translation>Lote</translation>
        </message>
        <message>
            <source>Operation</source>
            <translation>Operação</translation>
        </message>
        <message>
            <source>Rewritten prompt</source>
            <translation>Prompt reescrito</translation>
        </message>
        <message>
            <source>Videos asked for</source>
            <translation>Vídeos pedidos</translation>
        </message>
        <message>
            <source>Videos delivered</source>
            <translation>Vídeos entregues</translation>
        </message>
        <message>
            <source>Filtered videos</source>
            <translation>Vídeos filtrados</translation>
        </message>
        <message>
            <source>Filter reasons</source>
            <translation>Motivos do filtro</translation>
        </message>
        <message>
            <source>Tokens</source>
            <translation>Tokens</translation>
        </message>
        <message>
            <source>Cost by Google's usage</source>
            <translation>Custo pelo uso do Google</translation>
        </message>
        <message>
            <source>Refunded</source>
            <translation>Reembolsado</translation>
        </message>
        <message>
            <source>Response</source>
            <translation>Resposta</translation>
        </message>
        <message>
            <source>Error kind</source>
            <translation>Tipo de erro</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>Erro</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Observação</translation>
        </message>
        <message>
            <source>Google chooses</source>
            <translation>O Google escolhe</translation>
        </message>
        <message>
            <source>provider default</source>
            <translation>padrão do provedor</translation>
        </message>
        <message>
            <source>not reported</source>
            <translation>não informado</translation>
        </message>
        <message>
            <source>not yet</source>
            <translation>ainda não</translation>
        </message>
        <message>
            <source>none</source>
            <translation>nenhum</translation>
        </message>
        <message>
            <source>on</source>
            <translation>ligado</translation>
        </message>
        <message>
            <source>off</source>
            <translation>desligado</translation>
        </message>
        <message>
            <source>input %1</source>
            <translation>entrada %1</translation>
        </message>
        <message>
            <source>video %1</source>
            <translation>vídeo %1</translation>
        </message>
        <message>
            <source>other %1</source>
            <translation>outros %1</translation>
        </message>
    </context>
    <context>
        <name>BatchBar</name>
        <message>
            <source>Show the videos of one batch</source>
            <translation>Mostrar os vídeos de um lote</translation>
        </message>
        <message>
            <source>All videos</source>
            <translation>Todos os vídeos</translation>
        </message>
        <message>
            <source>Cancel the waiting rest of this batch</source>
            <translation>Cancelar o que resta na fila deste lote</translation>
        </message>
        <message>
            <source>Retry the failed videos of this batch</source>
            <translation>Tentar de novo os vídeos com falha deste lote</translation>
        </message>
        <message>
            <source>Cancel the waiting rest of this batch…</source>
            <translation>Cancelar o que resta na fila deste lote…</translation>
        </message>
        <message>
            <source>Retry the failed videos of this batch…</source>
            <translation>Tentar de novo os vídeos com falha deste lote…</translation>
        </message>
        <message>
            <source>Batch: %1 (%2)</source>
            <translation>Lote: %1 (%2)</translation>
        </message>
        <message>
            <source>Cancel %1 waiting</source>
            <translation>Cancelar %1 na fila</translation>
        </message>
        <message>
            <source>Retry %1 failed</source>
            <translation>Repetir %1 com falha</translation>
        </message>
        <message>
            <source>%1 waiting videos of batch “%2” will be cancelled and %3 refunded. Videos already generating or finished stay as they are.</source>
            <translation>%1 vídeos na fila do lote “%2” serão cancelados e %3 reembolsados. Vídeos já sendo gerados ou prontos continuam como estão.</translation>
        </message>
        <message>
            <source>Cancel the waiting rest of this batch?</source>
            <translation>Cancelar o que resta na fila deste lote?</translation>
        </message>
        <message>
            <source>Cancelled %1 waiting videos of batch “%2”; they were refunded.</source>
            <translation>%1 vídeos na fila do lote “%2” cancelados; foram reembolsados.</translation>
        </message>
        <message>
            <source>Retrying the %1 failed videos of batch “%2” costs %3, more than the %4 left of today's budget; raise the budget in Settings or retry them one by one.</source>
            <translation>Tentar de novo os %1 vídeos com falha do lote “%2” custa %3, mais que os %4 que restam do orçamento de hoje; aumente o orçamento nas Configurações ou tente de novo um por um.</translation>
        </message>
        <message>
            <source>%1 failed videos of batch “%2” go back to the end of the queue, each charged again: %3 in all.</source>
            <translation>%1 vídeos com falha do lote “%2” voltam para o fim da fila, cada um cobrado de novo: %3 no total.</translation>
        </message>
        <message>
            <source>Today's budget leaves %1.</source>
            <translation>O orçamento de hoje deixa %1.</translation>
        </message>
        <message>
            <source>Retry the failed videos of this batch?</source>
            <translation>Tentar de novo os vídeos com falha deste lote?</translation>
        </message>
        <message>
            <source>Queued %1 failed videos of batch “%2” again.</source>
            <translation>%1 vídeos com falha do lote “%2” voltaram para a fila.</translation>
        </message>
        <message>
            <source>Keep them</source>
            <translation>Manter</translation>
        </message>
    </context>
    <context>
        <name>BatchQueuer</name>
        <message>
            <source>Queue a file…</source>
            <translation>Enfileirar um arquivo…</translation>
        </message>
        <message>
            <source>Queue one video per line of a .txt or .csv file (or drop the file here)</source>
            <translation>Enfileira um vídeo por linha de um arquivo .txt ou .csv (ou solte o arquivo aqui)</translation>
        </message>
        <message>
            <source>Queue them</source>
            <translation>Enfileirar</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancelar</translation>
        </message>
        <message>
            <source>Queue a file</source>
            <translation>Enfileirar um arquivo</translation>
        </message>
        <message>
            <source>Prompt files (*.txt *.csv)</source>
            <translation>Arquivos de prompts (*.txt *.csv)</translation>
        </message>
        <message>
            <source>Could not read %1; check the file and try again.</source>
            <translation>Não foi possível ler %1; verifique o arquivo e tente de novo.</translation>
        </message>
        <message>
            <source>Queue %1 videos from %2 for %3?</source>
            <translation>Enfileirar %1 vídeos de %2 por %3?</translation>
        </message>
        <message>
            <source>Queue 1 video from %2 for %3?</source>
            <translation>Enfileirar 1 vídeo de %2 por %3?</translation>
        </message>
        <message>
            <source>This passes today's budget; raise it or queue fewer lines.</source>
            <translation>Isso passa do orçamento de hoje; aumente-o ou enfileire menos linhas.</translation>
        </message>
        <message>
            <source>Queued %1 videos from the file.</source>
            <translation>%1 vídeos do arquivo na fila.</translation>
        </message>
    </context>
    <context>
        <name>ComposePanel</name>
        <message>
            <source>%1 / %2</source>
            <translation>%1 / %2</translation>
        </message>
        <message>
            <source>%1 × %2 = %3</source>
            <translation>%1 × %2 = %3</translation>
        </message>
        <message>
            <source>Cost: %1</source>
            <translation>Custo: %1</translation>
        </message>
        <message>
            <source>Edit waiting video</source>
            <translation>Editar vídeo em espera</translation>
        </message>
        <message>
            <source>New video</source>
            <translation>Novo vídeo</translation>
        </message>
        <message>
            <source>Save changes</source>
            <translation>Salvar alterações</translation>
        </message>
        <message>
            <source>Generate</source>
            <translation>Gerar</translation>
        </message>
        <message>
            <source>Describe the video: subject, action, style, camera, sound…</source>
            <translation>Descreva o vídeo: tema, ação, estilo, câmera, som…</translation>
        </message>
        <message>
            <source>Prompt</source>
            <translation>Prompt</translation>
        </message>
        <message>
            <source>Prompt length</source>
            <translation>Tamanho do prompt</translation>
        </message>
        <message>
            <source>What to avoid (optional)</source>
            <translation>O que evitar (opcional)</translation>
        </message>
        <message>
            <source>Negative prompt</source>
            <translation>Prompt negativo</translation>
        </message>
        <message>
            <source>Number of videos</source>
            <translation>Número de vídeos</translation>
        </message>
        <message>
            <source>How many videos of this request to queue</source>
            <translation>Quantos vídeos deste pedido colocar na fila</translation>
        </message>
        <message>
            <source>Cost of this request</source>
            <translation>Custo deste pedido</translation>
        </message>
        <message>
            <source>Queue this request (Ctrl+Enter)</source>
            <translation>Colocar este pedido na fila (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Cancel edit</source>
            <translation>Cancelar edição</translation>
        </message>
        <message>
            <source>Videos</source>
            <translation>Vídeos</translation>
        </message>
        <message>
            <source>Reference images cannot be combined with start or end frames; remove the frames first</source>
            <translation>Imagens de referência não se combinam com quadros inicial ou final; remova os quadros primeiro</translation>
        </message>
        <message>
            <source>Start and end frames cannot be combined with reference images; remove the references first</source>
            <translation>Quadros inicial e final não se combinam com imagens de referência; remova as referências primeiro</translation>
        </message>
        <message>
            <source>Reference images need %1 s videos</source>
            <translation>Imagens de referência exigem vídeos de %1 s</translation>
        </message>
        <message>
            <source>%1 does not take a negative prompt</source>
            <translation>%1 não aceita prompt negativo</translation>
        </message>
        <message>
            <source>Queuing…</source>
            <translation>Colocando na fila…</translation>
        </message>
        <message>
            <source>Saved your changes to the waiting video.</source>
            <translation>Suas alterações no vídeo em espera foram salvas.</translation>
        </message>
        <message>
            <source>Queued 1 video.</source>
            <translation>1 vídeo colocado na fila.</translation>
        </message>
        <message>
            <source>Queued %1 videos.</source>
            <translation>%1 vídeos colocados na fila.</translation>
        </message>
    </context>
    <context>
        <name>DurationChoice</name>
        <message>
            <source>Duration</source>
            <translation>Duração</translation>
        </message>
        <message>
            <source> s</source>
            <translation> s</translation>
        </message>
        <message>
            <source>%1 s</source>
            <translation>%1 s</translation>
        </message>
    </context>
    <context>
        <name>FollowUps</name>
        <message>
            <source>What happens next (empty: the same prompt)</source>
            <translation>O que acontece a seguir (vazio: o mesmo prompt)</translation>
        </message>
        <message>
            <source>Extension prompt</source>
            <translation>Prompt da extensão</translation>
        </message>
        <message>
            <source>Extend</source>
            <translation>Estender</translation>
        </message>
        <message>
            <source>Extend this video</source>
            <translation>Estender este vídeo</translation>
        </message>
        <message>
            <source>What to change, e.g. make it night</source>
            <translation>O que mudar, por exemplo: deixe de noite</translation>
        </message>
        <message>
            <source>Refine instruction</source>
            <translation>Instrução de refinamento</translation>
        </message>
        <message>
            <source>Refine this video</source>
            <translation>Refinar este vídeo</translation>
        </message>
        <message>
            <source>This clip refines %1</source>
            <translation>Este clipe refina %1</translation>
        </message>
        <message>
            <source>This clip continues %1</source>
            <translation>Este clipe continua %1</translation>
        </message>
        <message>
            <source>This clip extends %1</source>
            <translation>Este clipe estende %1</translation>
        </message>
        <message>
            <source> · total %1 s</source>
            <translation> · total %1 s</translation>
        </message>
        <message>
            <source>Say what to change first, e.g. “make it night”.</source>
            <translation>Diga primeiro o que mudar, por exemplo: “deixe de noite”.</translation>
        </message>
    </context>
    <context>
        <name>FramePicker</name>
        <message>
            <source>%1 preview</source>
            <translation>Prévia do %1</translation>
        </message>
        <message>
            <source>Choose…</source>
            <translation>Escolher…</translation>
        </message>
        <message>
            <source>Choose %1</source>
            <translation>Escolher %1</translation>
        </message>
        <message>
            <source>Choose an image file (you can also drop one here or paste it)</source>
            <translation>Escolha um arquivo de imagem (você também pode soltá-lo aqui ou colá-lo)</translation>
        </message>
        <message>
            <source>Paste</source>
            <translation>Colar</translation>
        </message>
        <message>
            <source>Paste %1 from the clipboard</source>
            <translation>Colar %1 da área de transferência</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>Limpar</translation>
        </message>
        <message>
            <source>Clear %1</source>
            <translation>Limpar %1</translation>
        </message>
        <message>
            <source>Drop an image
here</source>
            <translation>Solte uma
imagem aqui</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>Verificando…</translation>
        </message>
        <message>
            <source>(no preview)</source>
            <translation>(sem prévia)</translation>
        </message>
        <message>
            <source>Choose the %1</source>
            <translation>Escolher o %1</translation>
        </message>
        <message>
            <source>Images (*.png *.jpg *.jpeg *.webp);;All files (*)</source>
            <translation>Imagens (*.png *.jpg *.jpeg *.webp);;Todos os arquivos (*)</translation>
        </message>
        <message>
            <source>The clipboard has no image; copy an image or an image file first.</source>
            <translation>A área de transferência não tem imagem; copie uma imagem ou um arquivo de imagem primeiro.</translation>
        </message>
    </context>
    <context>
        <name>FrameSlots</name>
        <message>
            <source>Start frame</source>
            <translation>Quadro inicial</translation>
        </message>
        <message>
            <source>End frame</source>
            <translation>Quadro final</translation>
        </message>
        <message>
            <source>This model does not accept a start frame</source>
            <translation>Este modelo não aceita quadro inicial</translation>
        </message>
        <message>
            <source>Add a start frame first</source>
            <translation>Adicione um quadro inicial primeiro</translation>
        </message>
        <message>
            <source>Add a start
frame first</source>
            <translation>Adicione um quadro
inicial primeiro</translation>
        </message>
        <message>
            <source>Could not read that file (%1); choose another.</source>
            <translation>Não foi possível ler esse arquivo (%1); escolha outro.</translation>
        </message>
        <message>
            <source>%1×%2 %3 · %4 KB</source>
            <translation>%1×%2 %3 · %4 KB</translation>
        </message>
    </context>
    <context>
        <name>HeldBanner</name>
        <message>
            <source>Cancel them (refund)</source>
            <translation>Cancelar todos (reembolso)</translation>
        </message>
        <message>
            <source>1 waiting video is held: Google retired its model (%1).</source>
            <translation>1 vídeo na fila está retido: o Google descontinuou o modelo dele (%1).</translation>
        </message>
        <message>
            <source>%1 waiting videos are held: Google retired their model (%2).</source>
            <translation>%1 vídeos na fila estão retidos: o Google descontinuou o modelo deles (%2).</translation>
        </message>
        <message>
            <source>Move all to %1</source>
            <translation>Mover todos para %1</translation>
        </message>
        <message>
            <source>Cancelled %1 held videos; they were refunded.</source>
            <translation>%1 vídeos retidos cancelados; foram reembolsados.</translation>
        </message>
        <message>
            <source>Moved %1 held videos to a current model.</source>
            <translation>%1 vídeos retidos movidos para um modelo atual.</translation>
        </message>
    </context>
    <context>
        <name>JobDetail</name>
        <message>
            <source>Prompt</source>
            <translation>Prompt</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Why it failed</source>
            <translation>Por que falhou</translation>
        </message>
        <message>
            <source>What the choices mean</source>
            <translation>O que cada opção significa</translation>
        </message>
        <message>
            <source>Settings and cost</source>
            <translation>Configurações e custo</translation>
        </message>
        <message>
            <source>Event history</source>
            <translation>Histórico de eventos</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Histórico</translation>
        </message>
        <message>
            <source>Select a video in the queue to see its details.</source>
            <translation>Selecione um vídeo na fila para ver os detalhes.</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Falhou</translation>
        </message>
        <message>
            <source>The start request reached the network but no answer came back, so we cannot tell whether Google is making this video.
• Retry: send it again. If the first request did reach Google, you may be billed twice.
• Give up: stop here and get the charge refunded. If Google did make it, it is lost.</source>
            <translation>O pedido de início foi enviado, mas nenhuma resposta voltou, então não dá para saber se o Google está fazendo este vídeo.
• Tentar de novo: envia outra vez. Se o primeiro pedido chegou ao Google, você pode ser cobrado duas vezes.
• Desistir: para aqui e a cobrança é reembolsada. Se o Google fez o vídeo, ele se perde.</translation>
        </message>
        <message>
            <source>Cost %1</source>
            <translation>Custo %1</translation>
        </message>
        <message>
            <source>, refunded %1</source>
            <translation>, reembolsado %1</translation>
        </message>
        <message>
            <source>attempt %1</source>
            <translation>tentativa %1</translation>
        </message>
    </context>
    <context>
        <name>LibraryPanel</name>
        <message>
            <source>Search prompts</source>
            <translation>Buscar nos prompts</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Any status</source>
            <translation>Qualquer status</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modelo</translation>
        </message>
        <message>
            <source>All models</source>
            <translation>Todos os modelos</translation>
        </message>
        <message>
            <source>Date</source>
            <translation>Data</translation>
        </message>
        <message>
            <source>Any time</source>
            <translation>Qualquer data</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>Hoje</translation>
        </message>
        <message>
            <source>Last 7 days</source>
            <translation>Últimos 7 dias</translation>
        </message>
        <message>
            <source>Last 30 days</source>
            <translation>Últimos 30 dias</translation>
        </message>
        <message>
            <source>Finished videos</source>
            <translation>Vídeos concluídos</translation>
        </message>
        <message>
            <source>Completed</source>
            <translation>Concluído</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Falhou</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Cancelado</translation>
        </message>
        <message>
            <source>Downloading</source>
            <translation>Baixando</translation>
        </message>
        <message>
            <source>No videos yet.
Finished videos appear here.</source>
            <translation>Nenhum vídeo ainda.
Os vídeos concluídos aparecem aqui.</translation>
        </message>
        <message>
            <source>No videos match your search and filters.</source>
            <translation>Nenhum vídeo corresponde à busca e aos filtros.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Player</source>
            <translation>Player</translation>
        </message>
        <message>
            <source>Library</source>
            <translation>Biblioteca</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>&amp;Arquivo</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>&amp;Configurações…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>&amp;Sair</translation>
        </message>
        <message>
            <source>&amp;Queue</source>
            <translation>&amp;Fila</translation>
        </message>
        <message>
            <source>&amp;Generate	Ctrl+Enter</source>
            <translation>&amp;Gerar	Ctrl+Enter</translation>
        </message>
        <message>
            <source>&amp;Pause or resume queue</source>
            <translation>&amp;Pausar ou retomar a fila</translation>
        </message>
        <message>
            <source>&amp;Cancel all waiting…</source>
            <translation>&amp;Cancelar todos em espera…</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>&amp;Exibir</translation>
        </message>
        <message>
            <source>Focus the &amp;prompt</source>
            <translation>Ir para o &amp;prompt</translation>
        </message>
        <message>
            <source>Focus the &amp;queue</source>
            <translation>Ir para a &amp;fila</translation>
        </message>
        <message>
            <source>&amp;Filter the queue</source>
            <translation>F&amp;iltrar a fila</translation>
        </message>
        <message>
            <source>Search the &amp;library</source>
            <translation>Buscar na &amp;biblioteca</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>Aj&amp;uda</translation>
        </message>
        <message>
            <source>&amp;About Veo Desktop</source>
            <translation>&amp;Sobre o Veo Desktop</translation>
        </message>
        <message>
            <source>Veo Desktop</source>
            <translation>Veo Desktop</translation>
        </message>
        <message>
            <source>%1 generating · %2 waiting</source>
            <translation>%1 gerando · %2 em espera</translation>
        </message>
        <message>
            <source>The last frame is now the start frame.</source>
            <translation>O último quadro agora é o quadro inicial.</translation>
        </message>
        <message>
            <source>About Veo Desktop</source>
            <translation>Sobre o Veo Desktop</translation>
        </message>
        <message>
            <source>Veo Desktop %1</source>
            <translation>Veo Desktop %1</translation>
        </message>
        <message>
            <source>Queue, run and play Google Veo video generations.</source>
            <translation>Enfileire, gere e assista vídeos do Google Veo.</translation>
        </message>
    </context>
    <context>
        <name>Notifier</name>
        <message>
            <source>Your video is ready</source>
            <translation>Seu vídeo está pronto</translation>
        </message>
        <message>
            <source>No reason was given.</source>
            <translation>Nenhum motivo foi informado.</translation>
        </message>
        <message>
            <source>A video could not be made</source>
            <translation>Não foi possível fazer um vídeo</translation>
        </message>
        <message>
            <source>%1 — %2</source>
            <translation>%1 — %2</translation>
        </message>
        <message>
            <source>All done</source>
            <translation>Tudo pronto</translation>
        </message>
        <message>
            <source>Every video in the queue has finished.</source>
            <translation>Todos os vídeos da fila foram concluídos.</translation>
        </message>
    </context>
    <context>
        <name>PlayerPanel</name>
        <message>
            <source>Video</source>
            <translation>Vídeo</translation>
        </message>
        <message>
            <source>Select a finished video to play it here.</source>
            <translation>Selecione um vídeo concluído para assisti-lo aqui.</translation>
        </message>
        <message>
            <source>This video file is missing. It may have been moved or deleted:
%1</source>
            <translation>O arquivo deste vídeo não foi encontrado. Ele pode ter sido movido ou apagado:
%1</translation>
        </message>
        <message>
            <source>Play (Space)</source>
            <translation>Reproduzir (Espaço)</translation>
        </message>
        <message>
            <source>Play</source>
            <translation>Reproduzir</translation>
        </message>
        <message>
            <source>Previous frame (Left)</source>
            <translation>Quadro anterior (Seta para a esquerda)</translation>
        </message>
        <message>
            <source>Previous frame</source>
            <translation>Quadro anterior</translation>
        </message>
        <message>
            <source>Next frame (Right)</source>
            <translation>Próximo quadro (Seta para a direita)</translation>
        </message>
        <message>
            <source>Next frame</source>
            <translation>Próximo quadro</translation>
        </message>
        <message>
            <source>Current time</source>
            <translation>Tempo atual</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>Duração</translation>
        </message>
        <message>
            <source>Seek</source>
            <translation>Posição</translation>
        </message>
        <message>
            <source>Loop (L)</source>
            <translation>Repetir (L)</translation>
        </message>
        <message>
            <source>Loop</source>
            <translation>Repetir</translation>
        </message>
        <message>
            <source>Mute (M)</source>
            <translation>Silenciar (M)</translation>
        </message>
        <message>
            <source>Mute</source>
            <translation>Silenciar</translation>
        </message>
        <message>
            <source>Volume</source>
            <translation>Volume</translation>
        </message>
        <message>
            <source>This file cannot be played. It may be damaged or not a video.</source>
            <translation>Este arquivo não pode ser reproduzido. Ele pode estar danificado ou não ser um vídeo.</translation>
        </message>
        <message>
            <source>This video could not be opened. It may have been moved, deleted or damaged.</source>
            <translation>Não foi possível abrir este vídeo. Ele pode ter sido movido, apagado ou danificado.</translation>
        </message>
        <message>
            <source>This video's format is not supported on this computer.</source>
            <translation>O formato deste vídeo não é suportado neste computador.</translation>
        </message>
        <message>
            <source>The video could not be read. Please try again.</source>
            <translation>Não foi possível ler o vídeo. Tente de novo.</translation>
        </message>
        <message>
            <source>Veo Desktop is not allowed to read this video. Check the file's permissions.</source>
            <translation>O Veo Desktop não tem permissão para ler este vídeo. Verifique as permissões do arquivo.</translation>
        </message>
        <message>
            <source>This video cannot be played.</source>
            <translation>Este vídeo não pode ser reproduzido.</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>Pausar</translation>
        </message>
        <message>
            <source>%1 (Space)</source>
            <translation>%1 (Espaço)</translation>
        </message>
    </context>
    <context>
        <name>ProjectBox</name>
        <message>
            <source>The key file's project (optional)</source>
            <translation>O projeto do arquivo de chave (opcional)</translation>
        </message>
        <message>
            <source>Google Cloud project</source>
            <translation>Projeto do Google Cloud</translation>
        </message>
        <message>
            <source>Region</source>
            <translation>Região</translation>
        </message>
        <message>
            <source>Choose key file…</source>
            <translation>Escolher arquivo de chave…</translation>
        </message>
        <message>
            <source>Choose the service account's JSON key file</source>
            <translation>Escolher o arquivo de chave JSON da conta de serviço</translation>
        </message>
        <message>
            <source>Forget</source>
            <translation>Esquecer</translation>
        </message>
        <message>
            <source>Forget the service account's key</source>
            <translation>Esquecer a chave da conta de serviço</translation>
        </message>
        <message>
            <source>Pro&amp;ject:</source>
            <translation>Pro&amp;jeto:</translation>
        </message>
        <message>
            <source>&amp;Region:</source>
            <translation>&amp;Região:</translation>
        </message>
        <message>
            <source>Signed in by:</source>
            <translation>Entrada por:</translation>
        </message>
        <message>
            <source>JSON key files (*.json);;All files (*)</source>
            <translation>Arquivos de chave JSON (*.json);;Todos os arquivos (*)</translation>
        </message>
        <message>
            <source>kept in your system keyring</source>
            <translation>guardada no chaveiro do sistema</translation>
        </message>
        <message>
            <source>kept in memory for this session only</source>
            <translation>guardada na memória só nesta sessão</translation>
        </message>
        <message>
            <source>the service account %1 (its key %2)</source>
            <translation>a conta de serviço %1 (sua chave %2)</translation>
        </message>
        <message>
            <source>Application Default Credentials (gcloud auth application-default login), or choose a key file.</source>
            <translation>Application Default Credentials (gcloud auth application-default login), ou escolha um arquivo de chave.</translation>
        </message>
    </context>
    <context>
        <name>QueueActions</name>
        <message>
            <source>Try again</source>
            <translation>Tentar de novo</translation>
        </message>
        <message>
            <source>Retry (may be billed twice)</source>
            <translation>Tentar de novo (pode ser cobrado duas vezes)</translation>
        </message>
        <message>
            <source>Give up (refund)</source>
            <translation>Desistir (reembolso)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancelar</translation>
        </message>
        <message>
            <source>Move to top</source>
            <translation>Mover para o topo</translation>
        </message>
        <message>
            <source>Edit…</source>
            <translation>Editar…</translation>
        </message>
        <message>
            <source>Duplicate into composer</source>
            <translation>Duplicar no editor</translation>
        </message>
        <message>
            <source>Open video</source>
            <translation>Abrir vídeo</translation>
        </message>
        <message>
            <source>Show in folder</source>
            <translation>Mostrar na pasta</translation>
        </message>
        <message>
            <source>Copy prompt</source>
            <translation>Copiar prompt</translation>
        </message>
        <message>
            <source>Use last frame as next start frame</source>
            <translation>Usar o último quadro como próximo quadro inicial</translation>
        </message>
        <message>
            <source>Prompt copied.</source>
            <translation>Prompt copiado.</translation>
        </message>
        <message>
            <source>Taking the last frame…</source>
            <translation>Pegando o último quadro…</translation>
        </message>
    </context>
    <context>
        <name>QueuePanel</name>
        <message>
            <source>%1 generating · %2 waiting · %3 slots</source>
            <translation>%1 gerando · %2 em espera · %3 vagas</translation>
        </message>
        <message>
            <source>Resume queue</source>
            <translation>Retomar a fila</translation>
        </message>
        <message>
            <source>Pause queue</source>
            <translation>Pausar a fila</translation>
        </message>
        <message>
            <source>Queue</source>
            <translation>Fila</translation>
        </message>
        <message>
            <source>Queue summary</source>
            <translation>Resumo da fila</translation>
        </message>
        <message>
            <source>Filter by prompt, model or status</source>
            <translation>Filtrar por prompt, modelo ou status</translation>
        </message>
        <message>
            <source>Filter the queue</source>
            <translation>Filtrar a fila</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>Mostrar</translation>
        </message>
        <message>
            <source>All</source>
            <translation>Todos</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>Ativos</translation>
        </message>
        <message>
            <source>Finished</source>
            <translation>Concluídos</translation>
        </message>
        <message>
            <source>Needs attention</source>
            <translation>Precisam de atenção</translation>
        </message>
        <message>
            <source>Pause or resume the queue</source>
            <translation>Pausar ou retomar a fila</translation>
        </message>
        <message>
            <source>Cancel all waiting</source>
            <translation>Cancelar todos em espera</translation>
        </message>
        <message>
            <source>Cancel all waiting videos</source>
            <translation>Cancelar todos os vídeos em espera</translation>
        </message>
        <message>
            <source>Queued and finished videos</source>
            <translation>Vídeos na fila e concluídos</translation>
        </message>
        <message>
            <source>Sent and returned</source>
            <translation>Enviado e devolvido</translation>
        </message>
        <message>
            <source>Queued %1; it continues the selected video.</source>
            <translation>%1 entrou na fila; ele continua o vídeo selecionado.</translation>
        </message>
        <message>
            <source>Nothing in the queue yet. Describe a video on the left and press Generate.</source>
            <translation>A fila ainda está vazia. Descreva um vídeo à esquerda e clique em Gerar.</translation>
        </message>
        <message>
            <source>No video matches the filter.</source>
            <translation>Nenhum vídeo corresponde ao filtro.</translation>
        </message>
        <message>
            <source>The queue is paused: Google refused the API key (%1). Fix the key in Settings, then Resume.</source>
            <translation>A fila está pausada: o Google recusou a chave de API (%1). Corrija a chave em Configurações e depois clique em Retomar.</translation>
        </message>
        <message>
            <source>no detail</source>
            <translation>sem detalhes</translation>
        </message>
        <message>
            <source>The queue is paused. Waiting videos will not start until you resume it.</source>
            <translation>A fila está pausada. Os vídeos em espera só começam quando você retomá-la.</translation>
        </message>
        <message>
            <source>Google asked us to slow down; starting again in %1 s.</source>
            <translation>O Google pediu para irmos mais devagar; recomeçando em %1 s.</translation>
        </message>
        <message>
            <source>Cancel all waiting videos?</source>
            <translation>Cancelar todos os vídeos em espera?</translation>
        </message>
        <message>
            <source>Every video that has not started yet will be cancelled and refunded. Videos already generating continue.</source>
            <translation>Todos os vídeos que ainda não começaram serão cancelados e reembolsados. Os que já estão sendo gerados continuam.</translation>
        </message>
        <message>
            <source>Cancel waiting videos</source>
            <translation>Cancelar vídeos em espera</translation>
        </message>
        <message>
            <source>Keep them</source>
            <translation>Manter</translation>
        </message>
        <message>
            <source>Cancelled %1 waiting videos; they were refunded.</source>
            <translation>%1 vídeos em espera cancelados e reembolsados.</translation>
        </message>
    </context>
    <context>
        <name>RecordSection</name>
        <message>
            <source>What was sent to Google and what came back</source>
            <translation>O que foi enviado ao Google e o que voltou</translation>
        </message>
        <message>
            <source>Copy as JSON</source>
            <translation>Copiar como JSON</translation>
        </message>
        <message>
            <source>Copy what was sent and returned as JSON</source>
            <translation>Copiar o que foi enviado e devolvido como JSON</translation>
        </message>
        <message>
            <source>Sent to Google</source>
            <translation>Enviado ao Google</translation>
        </message>
        <message>
            <source>Never sent to Google (it would have been)</source>
            <translation>Nunca enviado ao Google (teria sido)</translation>
        </message>
        <message>
            <source>Will be sent to Google</source>
            <translation>Será enviado ao Google</translation>
        </message>
        <message>
            <source>Google returned</source>
            <translation>O Google devolveu</translation>
        </message>
        <message>
            <source>Nothing came back: nothing was sent</source>
            <translation>Nada voltou: nada foi enviado</translation>
        </message>
        <message>
            <source>Google has not answered yet</source>
            <translation>O Google ainda não respondeu</translation>
        </message>
        <message>
            <source>Copied what was sent to Google and what came back, as JSON.</source>
            <translation>Copiado o que foi enviado ao Google e o que voltou, como JSON.</translation>
        </message>
    </context>
    <context>
        <name>ReferenceSlots</name>
        <message>
            <source>Reference %1</source>
            <translation>Referência %1</translation>
        </message>
        <message>
            <source>Reference images</source>
            <translation>Imagens de referência</translation>
        </message>
        <message>
            <source>%1 takes no reference images</source>
            <translation>%1 não aceita imagens de referência</translation>
        </message>
        <message>
            <source>%1 takes at most %2 reference images</source>
            <translation>%1 aceita no máximo %2 imagens de referência</translation>
        </message>
        <message>
            <source>Could not read that file (%1); choose another.</source>
            <translation>Não foi possível ler esse arquivo (%1); escolha outro.</translation>
        </message>
        <message>
            <source>%1×%2</source>
            <translation>%1×%2</translation>
        </message>
    </context>
    <context>
        <name>RequestControls</name>
        <message>
            <source>Audio</source>
            <translation>Áudio</translation>
        </message>
        <message>
            <source>Google rewrites your prompt</source>
            <translation>O Google reescreve seu prompt</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>Semente</translation>
        </message>
        <message>
            <source>Google chooses</source>
            <translation>O Google escolhe</translation>
        </message>
        <message>
            <source>Same seed</source>
            <translation>Repetir</translation>
        </message>
        <message>
            <source>Use the seed of the last video queued</source>
            <translation>Usar a semente do último vídeo enfileirado</translation>
        </message>
        <message>
            <source>New seed</source>
            <translation>Nova</translation>
        </message>
        <message>
            <source>Pick a new random seed</source>
            <translation>Sortear uma nova semente</translation>
        </message>
        <message>
            <source>People</source>
            <translation>Pessoas</translation>
        </message>
        <message>
            <source>Resize</source>
            <translation>Redimensionar</translation>
        </message>
        <message>
            <source>Pad</source>
            <translation>Preencher</translation>
        </message>
        <message>
            <source>Fit the start frame inside the video, with bars</source>
            <translation>Encaixa o quadro inicial dentro do vídeo, com faixas</translation>
        </message>
        <message>
            <source>Crop</source>
            <translation>Cortar</translation>
        </message>
        <message>
            <source>Fill the video, cutting the start frame's edges</source>
            <translation>Preenche o vídeo, cortando as bordas do quadro inicial</translation>
        </message>
        <message>
            <source>Quality</source>
            <translation>Qualidade</translation>
        </message>
        <message>
            <source>Optimized</source>
            <translation>Otimizada</translation>
        </message>
        <message>
            <source>Smaller files</source>
            <translation>Arquivos menores</translation>
        </message>
        <message>
            <source>Lossless</source>
            <translation>Sem perdas</translation>
        </message>
        <message>
            <source>Larger files, no compression loss</source>
            <translation>Arquivos maiores, sem perda por compressão</translation>
        </message>
        <message>
            <source>Sound</source>
            <translation>Som</translation>
        </message>
        <message>
            <source>Prompt</source>
            <translation>Prompt</translation>
        </message>
        <message>
            <source>%1 always rewrites the prompt</source>
            <translation>%1 sempre reescreve o prompt</translation>
        </message>
        <message>
            <source>%1 takes no seed here</source>
            <translation>%1 não aceita semente aqui</translation>
        </message>
        <message>
            <source>%1 has no people setting here</source>
            <translation>%1 não tem ajuste de pessoas aqui</translation>
        </message>
        <message>
            <source>%1 has no quality setting</source>
            <translation>%1 não tem ajuste de qualidade</translation>
        </message>
        <message>
            <source>%1 has no resize mode</source>
            <translation>%1 não tem modo de redimensionamento</translation>
        </message>
        <message>
            <source>Resize applies only to a start frame; add one first</source>
            <translation>Redimensionar vale só para um quadro inicial; adicione um primeiro</translation>
        </message>
        <message>
            <source>%1 always makes videos with sound</source>
            <translation>%1 sempre faz vídeos com som</translation>
        </message>
        <message>
            <source>%1 makes videos without sound</source>
            <translation>%1 faz vídeos sem som</translation>
        </message>
        <message>
            <source>No people</source>
            <translation>Sem pessoas</translation>
        </message>
        <message>
            <source>Adults only</source>
            <translation>Só adultos</translation>
        </message>
        <message>
            <source>People of any age</source>
            <translation>Pessoas de qualquer idade</translation>
        </message>
        <message>
            <source>%1 (default)</source>
            <translation>%1 (padrão)</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <translation>Configurações</translation>
        </message>
        <message>
            <source>API key</source>
            <translation>Chave de API</translation>
        </message>
        <message>
            <source>What you have</source>
            <translation>O que você tem</translation>
        </message>
        <message>
            <source>&amp;I have:</source>
            <translation>&amp;Eu tenho:</translation>
        </message>
        <message>
            <source>Paste your API key</source>
            <translation>Cole sua chave de API</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>Mostrar</translation>
        </message>
        <message>
            <source>Show the API key</source>
            <translation>Mostrar a chave de API</translation>
        </message>
        <message>
            <source>Test key</source>
            <translation>Testar chave</translation>
        </message>
        <message>
            <source>Test the API key</source>
            <translation>Testar a chave de API</translation>
        </message>
        <message>
            <source>&amp;Key:</source>
            <translation>C&amp;have:</translation>
        </message>
        <message>
            <source>Test the project</source>
            <translation>Testar o projeto</translation>
        </message>
        <message>
            <source>Your key is kept in %1.</source>
            <translation>Sua chave fica guardada em %1.</translation>
        </message>
        <message>
            <source>No secure keyring was found on this computer, so your key cannot be saved safely. It will be kept in memory for this session only: paste it again next time.</source>
            <translation>Nenhum chaveiro seguro foi encontrado neste computador, então sua chave não pode ser salva com segurança. Ela ficará na memória só nesta sessão: cole-a de novo na próxima vez.</translation>
        </message>
        <message>
            <source>Stored in:</source>
            <translation>Guardada em:</translation>
        </message>
        <message>
            <source>Keep the key for this session only</source>
            <translation>Guardar a chave só nesta sessão</translation>
        </message>
        <message>
            <source>Generation</source>
            <translation>Geração</translation>
        </message>
        <message>
            <source>Slots</source>
            <translation>Vagas</translation>
        </message>
        <message>
            <source>How many videos are generated at the same time.</source>
            <translation>Quantos vídeos são gerados ao mesmo tempo.</translation>
        </message>
        <message>
            <source>&amp;Slots:</source>
            <translation>&amp;Vagas:</translation>
        </message>
        <message>
            <source>No limit</source>
            <translation>Sem limite</translation>
        </message>
        <message>
            <source>Starts per minute</source>
            <translation>Inícios por minuto</translation>
        </message>
        <message>
            <source>At most this many new videos start each minute.</source>
            <translation>No máximo esta quantidade de vídeos começa a cada minuto.</translation>
        </message>
        <message>
            <source>Starts per &amp;minute:</source>
            <translation>Inícios por &amp;minuto:</translation>
        </message>
        <message>
            <source>No budget</source>
            <translation>Sem orçamento</translation>
        </message>
        <message>
            <source>Daily budget in US dollars</source>
            <translation>Orçamento diário em dólares americanos</translation>
        </message>
        <message>
            <source>New videos are refused once today's spending would pass this amount.</source>
            <translation>Novos vídeos são recusados quando o gasto de hoje passaria deste valor.</translation>
        </message>
        <message>
            <source>Daily &amp;budget (USD):</source>
            <translation>&amp;Orçamento diário (USD):</translation>
        </message>
        <message>
            <source>Library and app</source>
            <translation>Biblioteca e aplicativo</translation>
        </message>
        <message>
            <source>The Videos folder (default)</source>
            <translation>A pasta Vídeos (padrão)</translation>
        </message>
        <message>
            <source>Library folder</source>
            <translation>Pasta da biblioteca</translation>
        </message>
        <message>
            <source>Choose…</source>
            <translation>Escolher…</translation>
        </message>
        <message>
            <source>Choose the library folder</source>
            <translation>Escolher a pasta da biblioteca</translation>
        </message>
        <message>
            <source>&amp;Library folder:</source>
            <translation>Pasta da &amp;biblioteca:</translation>
        </message>
        <message>
            <source>System default</source>
            <translation>Padrão do sistema</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Idioma</translation>
        </message>
        <message>
            <source>Lan&amp;guage:</source>
            <translation>&amp;Idioma:</translation>
        </message>
        <message>
            <source>Notify me when videos finish or fail</source>
            <translation>Avisar quando os vídeos terminarem ou falharem</translation>
        </message>
        <message>
            <source>Notifications</source>
            <translation>Notificações</translation>
        </message>
        <message>
            <source>Enter an amount such as 20 or 12.50, or leave it empty.</source>
            <translation>Digite um valor como 20 ou 12.50, ou deixe vazio.</translation>
        </message>
        <message>
            <source>Choose a full folder path, or leave it empty.</source>
            <translation>Escolha o caminho completo de uma pasta, ou deixe vazio.</translation>
        </message>
        <message>
            <source>Paste a key first, then test it.</source>
            <translation>Cole uma chave primeiro e depois teste.</translation>
        </message>
        <message>
            <source>Testing…</source>
            <translation>Testando…</translation>
        </message>
        <message>
            <source>Asking Google which models this key can use…</source>
            <translation>Perguntando ao Google quais modelos esta chave pode usar…</translation>
        </message>
        <message>
            <source>No answer from Google after 30 seconds. Check your connection.</source>
            <translation>O Google não respondeu em 30 segundos. Verifique sua conexão.</translation>
        </message>
        <message>
            <source>The key did not work: %1</source>
            <translation>A chave não funcionou: %1</translation>
        </message>
        <message>
            <source>The key works. Models available: %1</source>
            <translation>A chave funciona. Modelos disponíveis: %1</translation>
        </message>
        <message>
            <source>The key works, but it has no video models. Check what kind of key it is, above.</source>
            <translation>A chave funciona, mas não tem modelos de vídeo. Confira acima que tipo de chave ela é.</translation>
        </message>
        <message>
            <source>Hide</source>
            <translation>Ocultar</translation>
        </message>
        <message>
            <source>The new language applies the next time Veo Desktop starts.</source>
            <translation>O novo idioma vale a partir da próxima vez que o Veo Desktop abrir.</translation>
        </message>
    </context>
    <context>
        <name>SpendingLine</name>
        <message>
            <source>Spent today</source>
            <translation>Gasto hoje</translation>
        </message>
        <message>
            <source>Daily budget used</source>
            <translation>Orçamento diário usado</translation>
        </message>
        <message>
            <source>Spent today: %1 of %2</source>
            <translation>Gasto hoje: %1 de %2</translation>
        </message>
        <message>
            <source>Spent today: %1 · no daily budget</source>
            <translation>Gasto hoje: %1 · sem orçamento diário</translation>
        </message>
    </context>
    <context>
        <name>TeamGroup</name>
        <message>
            <source>Team</source>
            <translation>Equipe</translation>
        </message>
        <message>
            <source>Empty: this computer's own queue</source>
            <translation>Vazio: a fila deste computador</translation>
        </message>
        <message>
            <source>Team database URL</source>
            <translation>URL do banco de dados da equipe</translation>
        </message>
        <message>
            <source>postgresql://NAME@HOST/DB, as the studio's admin gave it (no password).</source>
            <translation>postgresql://NOME@HOST/BANCO, como o administrador do estúdio passou (sem senha).</translation>
        </message>
        <message>
            <source>Team &amp;URL:</source>
            <translation>&amp;URL da equipe:</translation>
        </message>
        <message>
            <source>The password is kept in %1. A change applies at the next start.</source>
            <translation>A senha fica guardada em %1. Uma mudança vale a partir da próxima inicialização.</translation>
        </message>
        <message>
            <source>the OS keyring</source>
            <translation>o chaveiro do sistema</translation>
        </message>
        <message>
            <source>No secure keyring was found on this computer, so the password cannot be saved. Set the PGPASSWORD environment variable for Veo Desktop instead. A change applies at the next start.</source>
            <translation>Nenhum chaveiro seguro foi encontrado neste computador, então a senha não pode ser salva. Defina a variável de ambiente PGPASSWORD para o Veo Desktop. Uma mudança vale a partir da próxima inicialização.</translation>
        </message>
        <message>
            <source>Team database password</source>
            <translation>Senha do banco de dados da equipe</translation>
        </message>
        <message>
            <source>Empty: keep the saved password</source>
            <translation>Vazio: manter a senha salva</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>Mostrar</translation>
        </message>
        <message>
            <source>Show the team database password</source>
            <translation>Mostrar a senha do banco de dados da equipe</translation>
        </message>
        <message>
            <source>&amp;Password:</source>
            <translation>&amp;Senha:</translation>
        </message>
        <message>
            <source>Enter the team URL the password is for, or clear the password.</source>
            <translation>Informe a URL da equipe a que a senha pertence, ou apague a senha.</translation>
        </message>
        <message>
            <source>The password was not saved: %1 Set PGPASSWORD for Veo Desktop instead.</source>
            <translation>A senha não foi salva: %1 Defina PGPASSWORD para o Veo Desktop.</translation>
        </message>
        <message>
            <source>Hide</source>
            <translation>Ocultar</translation>
        </message>
    </context>
    <context>
        <name>Toast</name>
        <message>
            <source>Notification</source>
            <translation>Notificação</translation>
        </message>
    </context>
    <context>
        <name>VideoChoices</name>
        <message>
            <source>Model</source>
            <translation>Modelo</translation>
        </message>
        <message>
            <source>Aspect ratio</source>
            <translation>Proporção</translation>
        </message>
        <message>
            <source>Landscape (16:9)</source>
            <translation>Paisagem (16:9)</translation>
        </message>
        <message>
            <source>Portrait (9:16)</source>
            <translation>Retrato (9:16)</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>Duração</translation>
        </message>
        <message>
            <source>Resolution</source>
            <translation>Resolução</translation>
        </message>
        <message>
            <source>Variations per job</source>
            <translation>Variações por tarefa</translation>
        </message>
        <message>
            <source>Variations</source>
            <translation>Variações</translation>
        </message>
        <message>
            <source>%1 does not offer %2</source>
            <translation>%1 não oferece %2</translation>
        </message>
        <message>
            <source>%1 needs 8 s videos</source>
            <translation>%1 exige vídeos de 8 s</translation>
        </message>
        <message>
            <source>Videos made by one job (one operation at Google)</source>
            <translation>Vídeos feitos por uma tarefa (uma operação no Google)</translation>
        </message>
        <message>
            <source>%1 makes one video per job</source>
            <translation>%1 faz um vídeo por tarefa</translation>
        </message>
    </context>
    <context>
        <name>WelcomePanel</name>
        <message>
            <source>Welcome to Veo Desktop</source>
            <translation>Boas-vindas ao Veo Desktop</translation>
        </message>
        <message>
            <source>Queue videos made by Google (Veo, or Gemini Omni Flash with an AI Studio key), watch them finish and keep every video in one library. To start, say which key you have and paste it.</source>
            <translation>Coloque na fila vídeos feitos pelo Google (Veo, ou Gemini Omni Flash com uma chave do AI Studio), acompanhe até ficarem prontos e guarde todos numa só biblioteca. Para começar, diga que chave você tem e cole-a.</translation>
        </message>
        <message>
            <source>Keep the key for this session only</source>
            <translation>Guardar a chave só nesta sessão</translation>
        </message>
        <message>
            <source>What you have</source>
            <translation>O que você tem</translation>
        </message>
        <message>
            <source>I have:</source>
            <translation>Eu tenho:</translation>
        </message>
        <message>
            <source>Start with this project</source>
            <translation>Começar com este projeto</translation>
        </message>
        <message>
            <source>Paste your API key, or press Enter to try the simulator</source>
            <translation>Cole sua chave de API ou tecle Enter para usar o simulador</translation>
        </message>
        <message>
            <source>API key</source>
            <translation>Chave de API</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>Mostrar</translation>
        </message>
        <message>
            <source>Show the API key</source>
            <translation>Mostrar a chave de API</translation>
        </message>
        <message>
            <source>Save key and start</source>
            <translation>Salvar chave e começar</translation>
        </message>
        <message>
            <source>Your key stays on this computer, in %1.</source>
            <translation>Sua chave fica neste computador, em %1.</translation>
        </message>
        <message>
            <source>No secure keyring was found on this computer, so your key will be kept in memory for this session only. You will need to paste it again next time.</source>
            <translation>Nenhum chaveiro seguro foi encontrado neste computador, então sua chave ficará na memória só nesta sessão. Você precisará colá-la de novo na próxima vez.</translation>
        </message>
        <message>
            <source>No key yet? Explore everything with the built-in simulator: no account, no cost, no internet.</source>
            <translation>Ainda sem chave? Explore tudo com o simulador embutido: sem conta, sem custo, sem internet.</translation>
        </message>
        <message>
            <source>Try the simulator (free, offline)</source>
            <translation>Experimentar o simulador (grátis, offline)</translation>
        </message>
        <message>
            <source>Hide</source>
            <translation>Ocultar</translation>
        </message>
    </context>
</TS>
